import { InvalidArgumentError } from "../../errors/invalid-argument.js";
import { mimeTypeOverride } from "../mime-override.js";
import { openSource } from "../open-source.js";
import { fetchTransport, type UploadPlatform } from "../platform.js";
import { type WebLocks, webLease } from "./lease.js";
import { webMd5 } from "./md5.js";

/**
 * Browsers, workers and edge runtimes: the file is a Blob (a File from an input or a drop, a
 * Response's blob) or a stream (a Response's body), MD5 is WebAssembly's (JavaScript's where
 * the page may not compile WebAssembly), and every request goes through fetch.
 * A Blob without a type needs `mimeType` unless its name ends in `.jsonl`.
 */
export const webPlatform: UploadPlatform = {
  async openSource(file, declared) {
    if (typeof file === "string") {
      throw new InvalidArgumentError(`file ${JSON.stringify(file)} is a path; outside Node, pass a Blob or File.`, {
        option: "file",
      });
    }
    return openSource(file, declared, webMd5, (bytes) => new Blob([bytes]));
  },
  transport: (client) => fetchTransport(client),
  // Browsers type a File from their own tables when it is picked. A MIME database would weigh
  // more than all the upload code, so only JSON Lines, which they leave untyped, is filled in.
  mimeTypeFor: mimeTypeOverride,
  lease: webLease((globalThis as { navigator?: { locks?: WebLocks } }).navigator?.locks),
};
