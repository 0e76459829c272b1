import { InvalidArgumentError } from "../errors/invalid-argument.js";
import type { ResumeStore } from "./platform.js";

/** The part of the Web Storage API (`localStorage`, `sessionStorage`) a {@link webStorageResumeStore} uses. */
export interface KeyValueStorage {
  /** The value under `key`, or null. */
  getItem(key: string): string | null;
  /** Stores `value` under `key`. */
  setItem(key: string, value: string): void;
  /** Removes `key`. */
  removeItem(key: string): void;
}

/**
 * A {@link ResumeStore} in Web Storage: `localStorage` by default, so a page reloaded (or a
 * browser restarted) mid-upload continues the upload when the same File is picked again.
 * Entries are kept under `prefix` followed by the key; an entry that is not valid JSON counts
 * as absent. Throws `InvalidArgumentError` when there is no `localStorage` (or the page may not
 * use it) and none is passed.
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
  return {
    get(key) {
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

/** `localStorage`, or undefined where there is none or reading it is refused (a sandboxed frame). */
function defaultStorage(): KeyValueStorage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
