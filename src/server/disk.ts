import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { processRunning } from "../node/process-running.js";

/**
 * Buffer size for every stream that moves part bytes. The Node defaults (16-64 KiB) cost a
 * round of stream bookkeeping per small chunk; 1 MiB keeps a 64 MiB part moving at disk
 * speed while still bounding what one request holds in memory.
 */
export const STREAM_HWM = 1024 * 1024;

/**
 * Where the server keeps its state: `journal.jsonl` (see `journal.ts`), `parts/<part id>` while
 * an upload is open and `files/<file id>` once completed.
 */
export interface DataDir {
  /** The directory itself. */
  readonly root: string;
  /**
   * Whether what is written must survive a power loss: a directory the caller gave, which a
   * server may start on again. A temp directory goes with `close()`, so its writes are not
   * flushed to the disk (an fsync of a 64 MiB part took 17-110 ms here, the more under load).
   */
  readonly durable: boolean;
  /** The directory of the part files. */
  readonly partsDir: string;
  /** The directory of the assembled files. */
  readonly filesDir: string;
  /** Where the bytes of a part live. */
  partPath(partId: string): string;
  /** Where the assembled bytes of a file live. */
  filePath(fileId: string): string;
  /**
   * Releases the directory: removes it if {@link openDataDir} created it; a caller's own
   * directory is left alone, but for its lock.
   */
  dispose(): Promise<void>;
}

/** Where a server using a data directory writes its pid, so that no second server uses it at once. */
const LOCK_FILE = "server.lock";

/**
 * Takes the lock of `root` for this process. Two servers on one directory would destroy each
 * other's state (each one's sweep removes the other's parts as orphans, each compaction renames
 * over the other's journal), so a lock held by a process that runs makes this throw, naming it;
 * one left by a process that died (`kill -9`) is taken over.
 */
async function lockDataDir(root: string): Promise<string> {
  const path = join(root, LOCK_FILE);
  for (;;) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: "wx" });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && processRunning(pid)) {
      throw new Error(
        `Another local server (pid ${pid}) is using the data dir ${root}; stop it, or give this one another directory.`,
      );
    }
    await rm(path, { force: true });
  }
}

/** Prepares `dir` (or, without one, a fresh directory under the OS temp dir) to hold parts and files. */
export async function openDataDir(dir?: string): Promise<DataDir> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), "uploads-server-")));
  await mkdir(join(root, "parts"), { recursive: true });
  await mkdir(join(root, "files"), { recursive: true });
  const lock = dir === undefined ? undefined : await lockDataDir(root);
  return {
    root,
    durable: dir !== undefined,
    partsDir: join(root, "parts"),
    filesDir: join(root, "files"),
    partPath: (partId) => join(root, "parts", partId),
    filePath: (fileId) => join(root, "files", fileId),
    dispose: async () => {
      if (dir === undefined) await rm(root, { recursive: true, force: true });
      if (lock) await rm(lock, { force: true });
    },
  };
}

/**
 * Concatenates `sources` in order into `dest`, one chunk at a time, so a file of any size
 * costs a few MiB of memory. With `md5`, the digest of the joined bytes is computed on the way
 * and returned as lowercase hex; hashing is skipped otherwise because it is the slowest step.
 * `dest` is removed if anything fails; flushing it to the disk is the caller's, once the digest
 * is known to match (no point flushing 8 GiB that is about to be refused).
 */
export async function joinFiles(sources: readonly string[], dest: string, md5: boolean): Promise<string | undefined> {
  const hash = md5 ? createHash("md5") : undefined;
  async function* chunks() {
    for (const source of sources) {
      for await (const chunk of createReadStream(source, { highWaterMark: STREAM_HWM })) {
        hash?.update(chunk as Buffer);
        yield chunk as Buffer;
      }
    }
  }
  try {
    await pipeline(chunks, createWriteStream(dest, { highWaterMark: STREAM_HWM }));
  } catch (error) {
    await rm(dest, { force: true });
    throw error;
  }
  return hash?.digest("hex");
}

/**
 * Flushes a file's bytes to the disk. A process killed with `kill -9` loses nothing the kernel
 * has, but a machine that loses power loses what is not yet on the disk: the journal must not
 * name a part or a file before its bytes got there.
 */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a directory's entries (a rename into it, say) to the disk. Some platforms cannot open
 * a directory (Windows) or refuse to sync one; there the rename is as durable as they make it.
 */
export async function syncDir(path: string): Promise<void> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
