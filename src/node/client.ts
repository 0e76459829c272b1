import { type AzureClientOptions, azureTarget } from "../core/azure.js";
import { type ClientNetwork, createClient, type UploadsClient } from "../core/client.js";
import type { ClientOptions } from "../core/options.js";
import { certificateFailure } from "../errors/tls-certificate.js";
import { DEFAULT_STALL_TIMEOUT_MS } from "../upload/options.js";
import { agentFor, proxyAuthentication, proxyAuthorization, proxyFor, viaProxy } from "./proxy.js";

/**
 * Node's network: requests go through the proxy that `proxy` or the environment names, if
 * any, else the global fetch; a refused TLS certificate is a `TLSCertificateError`, never
 * retried, on either path.
 */
const nodeNetwork: ClientNetwork = {
  defaultFetch(baseUrl, options) {
    const proxy = proxyFor(baseUrl, options.proxy);
    // node:http and the proxy's agent are loaded for the first request through a proxy.
    let through: Promise<(request: Request) => Promise<Response>> | undefined;
    const send = proxy
      ? async (request: Request) => {
          through ??= import("./http-fetch.js").then(({ httpFetch }) =>
            httpFetch(agentFor(baseUrl, proxy, { keepAlive: true }), DEFAULT_STALL_TIMEOUT_MS),
          );
          // A load that failed is tried again by the next request, not kept.
          return (
            await through.catch((error: unknown) => {
              through = undefined;
              throw error;
            })
          )(request);
        }
      : (request: Request) => globalThis.fetch(request);
    return {
      fetch: async (request) => {
        const response = await send(request).catch((error: unknown) => {
          throw certificateFailure(error) ?? viaProxy(error, proxy);
        });
        if (proxy && response.status === 407) throw proxyAuthentication(proxy);
        return response;
      },
      proxy,
      secretHeaders: proxy ? proxyAuthorization(proxy) : {},
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

/**
 * Creates a client of Azure OpenAI's Uploads API: the same operations, retries, errors and
 * `uploadFile` (parts streamed with node:http, proxies from the environment), sent to the
 * endpoint's `/openai` paths with `api-version`, or to its v1 API, with `api-key` or a token
 * from `azureADTokenProvider` asked for each request. Options and environment variables are
 * those of the official SDK's `AzureOpenAI`: `endpoint` (`AZURE_OPENAI_ENDPOINT`),
 * `apiVersion` (`OPENAI_API_VERSION`), `apiKey` (`AZURE_OPENAI_API_KEY`); all are checked
 * here, before any request.
 */
export function createAzureUploadsClient(options: AzureClientOptions = {}): UploadsClient {
  return createClient(options, nodeNetwork, azureTarget(options));
}
