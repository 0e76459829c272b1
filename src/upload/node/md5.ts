import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { APIUserAbortError } from "../../errors/connection.js";
import { FileChangedError } from "../../errors/file-changed.js";
import type { Md5 } from "../platform.js";
import { type FileMd5, hashFileInWorker } from "./md5-worker.js";

const READ_CHUNK = 1024 * 1024;

/**
 * Files below this size are hashed on the main thread. A worker thread takes tens of
 * milliseconds to start, and overlapping only pays where a core is idle: against a loopback
 * server on a busy 2-core machine, a worker lost to the main thread up to 32 MiB, drew at
 * 64 MiB and won from 128-256 MiB up (uploadFile's parts sent while each hashed the file).
 */
export const WORKER_MD5_MIN_BYTES = 64 * 1024 * 1024;

/** node:crypto's MD5, fed chunk by chunk. */
export function nodeMd5(): Md5 {
  const hash = createHash("md5");
  return { update: (bytes) => hash.update(bytes), hex: () => hash.digest("hex") };
}

/**
 * The MD5 of a file on disk, hex. Parts go out in parallel and finish out of order, but a
 * digest needs the bytes in order, so this is one sequential read beside the part uploads
 * (served mostly from the page cache they warm); it costs no extra memory. From
 * {@link WORKER_MD5_MIN_BYTES} up the read and the hashing run on a worker thread, so that they
 * overlap the sending instead of taking turns with it on the main thread. Rejects with
 * `APIUserAbortError` on abort, with node:fs's error when the file cannot be read, and with
 * `FileChangedError` when it no longer holds `size` bytes.
 */
export async function fileMd5Hex(path: string, size: number, signal: AbortSignal): Promise<string> {
  const inWorker = size >= WORKER_MD5_MIN_BYTES ? await hashFileInWorker(path, signal) : undefined;
  // No answer from a worker (the file is small, or the thread failed): this thread reads and hashes.
  const hashed = inWorker ?? (await md5HereOf(path, signal));
  if (hashed.bytes !== size) {
    throw new FileChangedError(`the file is now ${hashed.bytes} bytes, not ${size}; it changed while being uploaded.`);
  }
  return hashed.hex;
}

/**
 * The file read to its end and hashed on this thread, as a stream: what a small file gets, or
 * any file when no worker thread could do it. Rejects as {@link fileMd5Hex} does, but leaves
 * the size to its caller.
 */
export async function md5HereOf(path: string, signal: AbortSignal): Promise<FileMd5> {
  const hash = nodeMd5();
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK, signal })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (error) {
    if (signal.aborted) throw new APIUserAbortError();
    throw error;
  }
  return { hex: hash.hex(), bytes };
}
