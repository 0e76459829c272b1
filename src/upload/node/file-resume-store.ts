import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { ResumeStore } from "../platform.js";
import { isResume, type UploadResume } from "../resume.js";

/**
 * Where this package keeps state between runs: `$XDG_STATE_HOME/openai-uploads`, or
 * `~/.local/state/openai-uploads` when that is unset (or, as the XDG spec says, not absolute).
 */
export function stateDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base =
    env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(homedir(), ".local", "state");
  return join(base, "openai-uploads");
}

/** One entry on disk: the key it is stored under, beside the state. */
interface StoredEntry {
  key: string;
  resume: UploadResume;
}

/**
 * A {@link ResumeStore} of one JSON file per upload in `directory` (default: `resume/` under
 * {@link stateDirectory}), created on first write with mode 0700, its files 0600: they name the
 * files you upload. Each write goes to a temporary file that is then renamed over the entry, so
 * a process killed mid-write leaves the old entry or the new one, never a torn one. Entries of
 * uploads that have expired are removed the first time the store is read.
 */
export function fileResumeStore(directory: string = join(stateDirectory(), "resume")): ResumeStore {
  const pathOf = (key: string) =>
    join(directory, `${createHash("sha256").update(key).digest("hex").slice(0, 40)}.json`);
  let swept: Promise<void> | undefined;

  async function read(path: string): Promise<StoredEntry | undefined> {
    try {
      const entry = JSON.parse(await readFile(path, "utf8")) as StoredEntry;
      return typeof entry?.key === "string" && isResume(entry.resume) ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Removes entries that are unreadable or whose upload has expired (no call could continue
   * them), and temporary files a killed process left (older than a minute: a newer one may be
   * another process's write about to be renamed). A file it cannot remove is left for next time.
   */
  async function sweep(): Promise<void> {
    const names = await readdir(directory).catch(() => [] as string[]);
    await Promise.all(
      names.map(async (name) => {
        const path = join(directory, name);
        const stale = name.endsWith(".json")
          ? await read(path).then((entry) => !entry || Date.now() >= entry.resume.expiresAt * 1000)
          : name.endsWith(".tmp") &&
            Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now()) > 60_000;
        if (stale) await rm(path, { force: true }).catch(() => undefined);
      }),
    );
  }

  return {
    async get(key) {
      swept ??= sweep();
      await swept;
      const entry = await read(pathOf(key));
      return entry?.key === key ? entry.resume : undefined;
    },
    async set(key, resume) {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const path = pathOf(key);
      const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify({ key, resume } satisfies StoredEntry), { mode: 0o600 });
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
