import { type AzureClientOptions, azureTarget } from "../core/azure.js";
import { type ClientNetwork, createClient, type UploadsClient } from "../core/client.js";
import type { ClientOptions } from "../core/options.js";

/**
 * A browser's network: the global fetch, whose failure before any answer says, besides the
 * browser's own words ("Failed to fetch"), that in a web page this is often CORS, and which
 * headers the server must allow. A browser tells a page nothing more: a refused preflight and
 * a network that is down fail the same way.
 */
const webNetwork: ClientNetwork = {
  defaultFetch: () => ({
    fetch: (request) =>
      globalThis.fetch(request).catch((error: unknown) => {
        const headers = [...request.headers.keys()].join(", ");
        // No cause: the browser's error says nothing more than its message, which is kept.
        throw new TypeError(
          `${(error as Error)?.message}; in a web page this is often CORS: the server must allow its origin and the headers ${headers}`,
        );
      }),
    proxy: undefined,
  }),
};

/**
 * Creates a client. Options are checked here, so a missing key or a bad URL fails before
 * any request. The key lives only in a closure, so it never shows in `util.inspect`.
 * Response bodies are read up to `MAX_RESPONSE_BYTES`, whatever `fetch` is used. A request
 * that gets no answer is an `APIConnectionError` (retried); in a web page its message says
 * that this is often CORS and names the headers the server must allow.
 */
export function createUploadsClient(options: ClientOptions = {}): UploadsClient {
  return createClient(options, webNetwork);
}

/**
 * Creates a client of Azure OpenAI's Uploads API (see the Node entry's) on a browser's
 * network. A page has no environment: pass `endpoint` and the credential.
 */
export function createAzureUploadsClient(options: AzureClientOptions = {}): UploadsClient {
  return createClient(options, webNetwork, azureTarget(options));
}
