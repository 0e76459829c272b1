import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { APIUserAbortError } from "../../errors/connection.js";
import { FileChangedError } from "../../errors/file-changed.js";
import type { NodeSource } from "./file-source.js";

const READ_CHUNK = 1024 * 1024;

/**
 * The MD5 of the whole source, hex. Parts go out in parallel and finish out of order, but a
 * digest needs the bytes in order, so this is one sequential read beside the part uploads
 * (served mostly from the page cache they warm); it costs no extra memory.
 */
export async function md5Hex(source: NodeSource, signal: AbortSignal): Promise<string> {
  const hash = createHash("md5");
  const stream = source.path
    ? createReadStream(source.path, { highWaterMark: READ_CHUNK, signal })
    : Readable.fromWeb(source.slice(0, source.size).stream() as import("node:stream/web").ReadableStream, { signal });
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (error) {
    if (signal.aborted) throw new APIUserAbortError();
    throw error;
  }
  if (bytes !== source.size) {
    throw new FileChangedError(`the file is now ${bytes} bytes, not ${source.size}; it changed while being uploaded.`);
  }
  return hash.digest("hex");
}
