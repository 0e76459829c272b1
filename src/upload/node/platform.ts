import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { hostname } from "node:os";
import { processRunning } from "../../node/process-running.js";
import { mimeTypeOverride } from "../mime-override.js";
import { openSource } from "../open-source.js";
import { fetchTransport, type UploadPlatform } from "../platform.js";
import { fileSource, type NodeSource } from "./file-source.js";
import { httpTransport } from "./http-transport.js";
import { nodeMd5 } from "./md5.js";

// mime-types parses its database of every type when loaded: on the first lookup, not at import.
const require = createRequire(import.meta.url);
let lookup: typeof import("mime-types").lookup | undefined;

/**
 * Node: paths are opened from disk, MD5 comes from node:crypto, and parts are streamed with
 * node:http (a file's straight from disk), unless the client was given its own fetch, which
 * then carries every request (so a test, or a wrapper of yours, sees the parts too).
 */
export const nodePlatform: UploadPlatform<NodeSource> = {
  openSource: (file, declared) =>
    typeof file === "string" ? fileSource(file) : openSource(file, declared, nodeMd5, (bytes) => bytes),
  transport(client, source, settings) {
    // A part streamed to an http:// host through a proxy reached it cut short (http-proxy-agent
    // rewrites the request's head as it goes): such parts go whole, one request each, through the
    // client's fetch, which is node:http through the same proxy. https tunnels stream as usual.
    const plainThroughProxy = client.runtime.proxy() !== undefined && client.runtime.baseUrl.startsWith("http:");
    return !client.runtime.customFetch && !plainThroughProxy
      ? httpTransport(client.runtime, source.path, settings)
      : fetchTransport(client);
  },
  mimeTypeFor: (filename) => {
    lookup ??= (require("mime-types") as typeof import("mime-types")).lookup;
    return mimeTypeOverride(filename) ?? (lookup(filename) || undefined);
  },
  lease: {
    // host:pid:random. The pid tells at once that a killed process no longer holds its entry.
    owner: () => `${hostname()}:${process.pid}:${randomUUID()}`,
    alive(owner) {
      const [host, pid] = owner.split(":");
      return host === hostname() ? processRunning(Number(pid)) : undefined;
    },
  },
};
