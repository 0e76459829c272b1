import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

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
  /** The directory of the part files. */
  readonly partsDir: string;
  /** The directory of the assembled files. */
  readonly filesDir: string;
  /** Where the bytes of a part live. */
  partPath(partId: string): string;
  /** Where the assembled bytes of a file live. */
  filePath(fileId: string): string;
  /** Removes the directory if {@link openDataDir} created it; a caller's own directory is left alone. */
  dispose(): Promise<void>;
}

/** Prepares `dir` (or, without one, a fresh directory under the OS temp dir) to hold parts and files. */
export async function openDataDir(dir?: string): Promise<DataDir> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), "uploads-server-")));
  await mkdir(join(root, "parts"), { recursive: true });
  await mkdir(join(root, "files"), { recursive: true });
  return {
    root,
    partsDir: join(root, "parts"),
    filesDir: join(root, "files"),
    partPath: (partId) => join(root, "parts", partId),
    filePath: (fileId) => join(root, "files", fileId),
    dispose: async () => {
      if (dir === undefined) await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Concatenates `sources` in order into `dest`, one chunk at a time, so a file of any size
 * costs a few MiB of memory. With `md5`, the digest of the joined bytes is computed on the way
 * and returned as lowercase hex; hashing is skipped otherwise because it is the slowest step.
 * `dest` is fsync'd before this resolves, so a completion journaled after it never names a file
 * whose bytes a crash of the machine could lose. `dest` is removed if anything fails.
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
    await syncFile(dest);
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
