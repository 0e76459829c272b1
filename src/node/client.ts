import { type ClientNetwork, createClient, type UploadsClient } from "../core/client.js";
import type { ClientOptions } from "../core/options.js";
import { DEFAULT_STALL_TIMEOUT_MS } from "../upload/options.js";
import { httpFetch } from "./http-fetch.js";
import { agentFor, proxyAuthentication, proxyFor, viaProxy } from "./proxy.js";

/** Node's network: requests go through the proxy that `proxy` or the environment names, if any. */
const nodeNetwork: ClientNetwork = {
  defaultFetch(baseUrl, options) {
    const proxy = proxyFor(baseUrl, options.proxy);
    if (!proxy) return undefined;
    const send = httpFetch(agentFor(baseUrl, proxy, { keepAlive: true }), DEFAULT_STALL_TIMEOUT_MS);
    return {
      fetch: async (request) => {
        const response = await send(request).catch((error: unknown) => {
          throw viaProxy(error, proxy);
        });
        if (response.status === 407) throw proxyAuthentication(proxy);
        return response;
      },
      proxy,
    };
  },
};

/**
 * Creates a client (see the package's `createUploadsClient`): under Node, requests go through
 * the HTTP proxy that the `proxy` option or `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` name
 * (never for loopback), JSON calls and `uploadFile`'s streamed parts alike.
 */
export function createUploadsClient(options: ClientOptions = {}): UploadsClient {
  return createClient(options, nodeNetwork);
}
