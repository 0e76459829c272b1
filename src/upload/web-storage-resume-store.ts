import { InvalidArgumentError } from "../errors/invalid-argument.js";
import type { ResumeStore } from "./platform.js";
import { isResume } from "./resume.js";

/** The part of the Web Storage API (`localStorage`, `sessionStorage`) a {@link webStorageResumeStore} uses. */
export interface KeyValueStorage {
  /** The value under `key`, or null. */
  getItem(key: string): string | null;
  /** Stores `value` under `key`. */
  setItem(key: string, value: string): void;
  /** Removes `key`. */
  removeItem(key: string): void;
  /**
   * How many entries there are. With {@link KeyValueStorage.key}, it lets the store find and
   * remove the entries of expired uploads. Web Storage has both; a storage without them is
   * never swept.
   */
  readonly length?: number;
  /** The name of the `index`th entry, or null past the last: see {@link KeyValueStorage.length}. */
  key?(index: number): string | null;
}

/**
 * A {@link ResumeStore} in Web Storage: `localStorage` by default, so a page reloaded (or a
 * browser restarted) mid-upload continues the upload when the same File is picked again.
 * Entries are kept under `prefix` followed by the key; an entry that is not valid JSON counts
 * as absent. The first time the store is read, it removes the entries under `prefix` that
 * hold resume state of an upload that has expired (no call could continue them), so that an
 * origin's storage does not fill with uploads abandoned long ago. Nothing else is touched:
 * live uploads (another tab's included), and any value that is not this version's resume
 * state, which may be another app's under a short prefix or a newer release's. Throws
 * `InvalidArgumentError` when there is no `localStorage` (or the page may not use it) and
 * none is passed.
 */
export function webStorageResumeStore(
  storage: KeyValueStorage | undefined = defaultStorage(),
  prefix = "openai-uploads:",
): ResumeStore {
  if (!storage) {
    throw new InvalidArgumentError("There is no localStorage here; pass a Storage to keep resume state in.", {
      option: "storage",
    });
  }
  let swept = false;
  return {
    get(key) {
      if (!swept) {
        swept = true;
        sweep(storage, prefix);
      }
      try {
        return JSON.parse(storage.getItem(prefix + key) ?? "null") ?? undefined;
      } catch {
        return undefined;
      }
    },
    set: (key, resume) => storage.setItem(prefix + key, JSON.stringify(resume)),
    delete: (key) => storage.removeItem(prefix + key),
  };
}

/**
 * Removes the entries under `prefix` of uploads that have expired. The names are gathered
 * first: removing an entry renumbers the ones after it. A storage that refuses (a page's
 * storage access withdrawn) is left as it is; the sweep is only housekeeping.
 */
function sweep(storage: KeyValueStorage, prefix: string): void {
  const { key, length } = storage;
  if (typeof key !== "function" || typeof length !== "number") return;
  try {
    const stale: string[] = [];
    for (let index = 0; index < length; index++) {
      const name = key.call(storage, index);
      if (name?.startsWith(prefix) && expired(storage.getItem(name))) stale.push(name);
    }
    for (const name of stale) storage.removeItem(name);
  } catch {}
}

/** Whether a stored value is resume state of an upload that has expired. */
function expired(value: string | null): boolean {
  try {
    const resume: unknown = JSON.parse(value ?? "null");
    return isResume(resume) && Date.now() >= resume.expiresAt * 1000;
  } catch {
    return false;
  }
}

/** `localStorage`, or undefined where there is none or reading it is refused (a sandboxed frame). */
function defaultStorage(): KeyValueStorage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
