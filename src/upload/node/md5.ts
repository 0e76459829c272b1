import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { APIUserAbortError } from "../../errors/connection.js";
import { FileChangedError } from "../../errors/file-changed.js";
import type { Md5 } from "../platform.js";

const READ_CHUNK = 1024 * 1024;

/** node:crypto's MD5, fed chunk by chunk. */
export function nodeMd5(): Md5 {
  const hash = createHash("md5");
  return { update: (bytes) => hash.update(bytes), hex: () => hash.digest("hex") };
}

/**
 * The MD5 of a file on disk, hex. Parts go out in parallel and finish out of order, but a
 * digest needs the bytes in order, so this is one sequential read beside the part uploads
 * (served mostly from the page cache they warm); it costs no extra memory.
 */
export async function fileMd5Hex(path: string, size: number, signal: AbortSignal): Promise<string> {
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
  if (bytes !== size) {
    throw new FileChangedError(`the file is now ${bytes} bytes, not ${size}; it changed while being uploaded.`);
  }
  return hash.hex();
}
