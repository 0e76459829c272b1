import mime from "mime-types";
import type { UploadsClient } from "../../core/client.js";
import { clientInternals } from "../../core/internals.js";
import { fetchTransport } from "../fetch-transport.js";
import { mimeTypeOverride } from "../mime-override.js";
import type { UploadPlatform } from "../platform.js";
import { blobSource } from "../source.js";
import { fileSource } from "./file-source.js";
import { httpTransport } from "./http-transport.js";
import { md5Hex } from "./md5.js";

/**
 * Node: paths are opened from disk, MD5 comes from node:crypto, and parts of a file on disk
 * are streamed with node:http, unless the client was given its own fetch, which then
 * carries every request (so tests and proxies see the parts too).
 */
export const nodePlatform: UploadPlatform = {
  openSource: (file) => (typeof file === "string" ? fileSource(file) : Promise.resolve(blobSource(file))),
  md5Hex,
  transport(client: UploadsClient, source, concurrency) {
    const internals = clientInternals(client);
    return internals && !internals.customFetch && source.path
      ? httpTransport(internals, source.path, concurrency)
      : fetchTransport(client, source);
  },
  mimeTypeFor: (filename) => mimeTypeOverride(filename) ?? (mime.lookup(filename) || undefined),
};
