import { InvalidArgumentError } from "../../errors/invalid-argument.js";
import { mimeTypeOverride } from "../mime-override.js";
import { blobSource, fetchTransport, type UploadPlatform } from "../platform.js";
import { md5Hex } from "./md5.js";

/**
 * Browsers, workers and edge runtimes: the file is a Blob (a File from an input or a drop, a
 * Response's blob), MD5 is computed in JavaScript, and every request goes through fetch.
 * A Blob without a type needs `mimeType` unless its name ends in `.jsonl`.
 */
export const webPlatform: UploadPlatform = {
  async openSource(file) {
    if (typeof file === "string") {
      throw new InvalidArgumentError(`file ${JSON.stringify(file)} is a path; outside Node, pass a Blob or File.`, {
        option: "file",
      });
    }
    return blobSource(file);
  },
  md5Hex,
  transport: (client, source) => fetchTransport(client, source),
  // Browsers type a File from their own tables when it is picked. A MIME database would weigh
  // more than all the upload code, so only JSON Lines, which they leave untyped, is filled in.
  mimeTypeFor: mimeTypeOverride,
};
