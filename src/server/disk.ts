import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

/**
 * Buffer size for every stream that moves part bytes. The Node defaults (16-64 KiB) cost a
 * round of stream bookkeeping per small chunk; 1 MiB keeps a 64 MiB part moving at disk
 * speed while still bounding what one request holds in memory.
 */
export const STREAM_HWM = 1024 * 1024;

/** Where the server keeps bytes: `parts/<part id>` while an upload is open, `files/<file id>` once completed. */
export interface DataDir {
  /** The directory itself. */
  readonly root: string;
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
 * `dest` is removed if anything fails.
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
