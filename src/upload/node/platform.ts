import mime from "mime-types";
import { mimeTypeOverride } from "../mime-override.js";
import { blobSource, fetchTransport, type UploadPlatform } from "../platform.js";
import { fileSource, type NodeSource } from "./file-source.js";
import { httpTransport } from "./http-transport.js";
import { md5Hex } from "./md5.js";

/**
 * Node: paths are opened from disk, MD5 comes from node:crypto, and parts of a file on disk
 * are streamed with node:http, unless the client was given its own fetch, which then
 * carries every request (so a test, or a wrapper of yours, sees the parts too).
 */
export const nodePlatform: UploadPlatform<NodeSource> = {
  openSource: (file) => (typeof file === "string" ? fileSource(file) : Promise.resolve(blobSource(file))),
  md5Hex,
  transport(client, source, settings) {
    // A part streamed to an http:// host through a proxy reached it cut short (http-proxy-agent
    // rewrites the request's head as it goes): such parts go whole, one request each, through the
    // client's fetch, which is node:http through the same proxy. https tunnels stream as usual.
    const plainThroughProxy = client.runtime.proxy() !== undefined && client.runtime.baseUrl.startsWith("http:");
    return !client.runtime.customFetch && source.path && !plainThroughProxy
      ? httpTransport(client.runtime, source.path, settings)
      : fetchTransport(client, source);
  },
  mimeTypeFor: (filename) => mimeTypeOverride(filename) ?? (mime.lookup(filename) || undefined),
};
