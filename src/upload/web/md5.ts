import { md5 } from "@noble/hashes/legacy";
import { APIUserAbortError } from "../../errors/connection.js";
import type { FileSource } from "../platform.js";

/** Small enough to keep memory flat, large enough that the per-read overhead does not show. */
const READ_CHUNK = 4 * 1024 * 1024;

/**
 * The MD5 of the whole source, hex, without Node: runtimes that only have Web Crypto get no
 * MD5 from it (it offers SHA only), so this hashes in JavaScript, one chunk of the Blob at a time.
 */
export async function md5Hex(source: FileSource, signal: AbortSignal): Promise<string> {
  const hash = md5.create();
  for (let start = 0; start < source.size; start += READ_CHUNK) {
    if (signal.aborted) throw new APIUserAbortError();
    const chunk = await source.slice(start, Math.min(start + READ_CHUNK, source.size)).arrayBuffer();
    hash.update(new Uint8Array(chunk));
  }
  if (signal.aborted) throw new APIUserAbortError();
  return Array.from(hash.digest(), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
