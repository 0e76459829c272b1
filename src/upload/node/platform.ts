import mime from "mime-types";
import { mimeTypeOverride } from "../mime-override.js";
import { blobSource, fetchTransport, type UploadPlatform } from "../platform.js";
import { fileSource, type NodeSource } from "./file-source.js";
import { httpTransport } from "./http-transport.js";
import { md5Hex } from "./md5.js";

/**
 * Node: paths are opened from disk, MD5 comes from node:crypto, and parts of a file on disk
 * are streamed with node:http, unless the client was given its own fetch, which then
 * carries every request (so tests and proxies see the parts too).
 */
export const nodePlatform: UploadPlatform<NodeSource> = {
  openSource: (file) => (typeof file === "string" ? fileSource(file) : Promise.resolve(blobSource(file))),
  md5Hex,
  transport(client, source, settings) {
    return !client.runtime.customFetch && source.path
      ? httpTransport(client.runtime, source.path, settings)
      : fetchTransport(client, source);
  },
  mimeTypeFor: (filename) => mimeTypeOverride(filename) ?? (mime.lookup(filename) || undefined),
};
