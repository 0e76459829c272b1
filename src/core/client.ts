import { createOperations, type Operations } from "../../generated/client.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { VERSION } from "../version.js";
import { untilAborted } from "./attempt-signal.js";
import { CREDENTIAL_HEADERS } from "./credentials.js";
import { createInvoke } from "./invoke.js";
import type { Invoke } from "./operation.js";
import { type ClientOptions, type ClientTarget, openAITarget, type RequestOptions, resolveOptions } from "./options.js";
import { requestSender, setHeaders } from "./request.js";
import { limitBody } from "./response-body.js";
import { secretRedactor } from "./secrets.js";

/**
 * How a client sends requests, for helpers of this package (`uploadFile`) that send some
 * requests their own way, such as parts streamed from disk with node:http, and must still
 * behave as the client does. An own, enumerable property, so a spread copy of a client keeps
 * it; it holds the API key only inside a function, so printing a client never shows the key.
 * Applications have no need of it.
 */
export interface ClientRuntime {
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The URL of a request to `path` (an operation's path, parameters filled in), with the query every request carries. */
  url(path: string): URL;
  /** The retrying, checking runtime behind the typed operations. */
  readonly invoke: Invoke<RequestOptions>;
  /**
   * One request's headers, its authentication included (names in lower case), asked for
   * before each attempt: a credential function is asked then, cut short by `signal` (the
   * attempt's timeout or the caller's abort). Code that holds a client can
   * send with its key anyway; this lets it read the key too, so pass clients only to code you
   * trust with the key.
   */
  requestHeaders(signal?: AbortSignal): Promise<Record<string, string>>;
  /** Whether the client was given its own `fetch`; helpers must then send through it, not around it. */
  readonly customFetch: boolean;
  /** The proxy requests go through, when one applies (a function: the URL may hold credentials). */
  proxy(): URL | undefined;
  /**
   * The client's operations sent through another `fetch`, with the same headers, retries and
   * checks: how `uploadFile` under Node sends its JSON calls over its own keep-alive sockets.
   */
  operationsVia(fetch: (request: Request) => Promise<Response>): Operations<RequestOptions>;
}

/** The typed Uploads client: one function per operation of the spec. */
export type UploadsClient = Operations<RequestOptions> & {
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /** How the client sends, for this package's helpers: see {@link ClientRuntime}. */
  readonly runtime: ClientRuntime;
};

/** What a runtime decides for a client that was given no `fetch`: Node sends through a proxy when one applies. */
export interface ClientNetwork {
  /**
   * The fetch for requests to `baseUrl`, the proxy it goes through, and the headers with a
   * secret in them that it sends on its own (a proxy's `Proxy-Authorization`), for the client
   * to keep out of its errors; undefined for the global fetch.
   */
  defaultFetch(
    baseUrl: URL,
    options: ClientOptions,
  ):
    | {
        fetch: (request: Request) => Promise<Response>;
        proxy: URL | undefined;
        secretHeaders?: Readonly<Record<string, string>>;
      }
    | undefined;
}

/**
 * A client on a runtime's network (the Node entry's: proxies from the environment; a
 * browser's: the global fetch, with a CORS hint on failure). Options are checked here, so a
 * missing key or a bad URL fails before any request. The key lives only in a closure, so it
 * never shows in `util.inspect`. Response bodies are read up to `MAX_RESPONSE_BYTES`, whatever
 * `fetch` is used.
 */
export function createClient(
  options: ClientOptions,
  network: ClientNetwork | undefined,
  target: ClientTarget = openAITarget(options),
): UploadsClient {
  const resolved = resolveOptions(options);
  const { baseUrl } = target;
  const platform = resolved.fetch ? undefined : network?.defaultFetch(new URL(baseUrl), options);
  // Layered with `set`, so a client header replaces ours whatever its case; the credential's
  // headers are layered over them per request (a call's own headers may still replace them, as
  // documented).
  const layers = new Headers({ "User-Agent": `openai-uploads/${VERSION}` });
  try {
    if (resolved.organization) layers.set("OpenAI-Organization", resolved.organization);
    if (resolved.project) layers.set("OpenAI-Project", resolved.project);
    setHeaders(layers, resolved.extraHeaders);
  } catch (error) {
    throw new InvalidArgumentError(`A header cannot be sent (${(error as Error).message}).`, { option: "headers" });
  }
  const headers = Object.fromEntries(layers);
  // Every credential sent is remembered, to be taken out of the errors a server's answer becomes.
  const secrets = secretRedactor();
  secrets.remember(platform?.secretHeaders);
  secrets.remember(headers);
  const requestHeaders = async (signal?: AbortSignal) => {
    const layered = new Headers(headers);
    // Neither credential header of the client's own survives, so that an OpenAI key in
    // `headers` does not travel to Azure beside its key, nor a stale api-key beside a token.
    for (const name of CREDENTIAL_HEADERS) layered.delete(name);
    const credential = await untilAborted(target.auth(), signal);
    secrets.remember(credential);
    setHeaders(layered, credential);
    return Object.fromEntries(layered);
  };
  const url = (path: string) => {
    const url = new URL(baseUrl + path);
    for (const [name, value] of Object.entries(target.query)) url.searchParams.set(name, value);
    return url;
  };
  const invoke = createInvoke(resolved, secrets);
  const operationsVia = (fetch: (request: Request) => Promise<Response>) =>
    createOperations(
      requestSender({ url, headers: requestHeaders, fetch: async (request) => limitBody(await fetch(request)) }),
      invoke,
    );
  const runtime: ClientRuntime = Object.freeze({
    baseUrl,
    url,
    invoke,
    requestHeaders,
    customFetch: resolved.fetch !== undefined,
    proxy: () => platform?.proxy,
    operationsVia,
  });
  // The global fetch is looked up per request, so that one replaced later (by a test) is used.
  const operations = operationsVia(
    resolved.fetch ?? platform?.fetch ?? ((request: Request) => globalThis.fetch(request)),
  );
  return Object.freeze({ ...operations, baseUrl, runtime });
}
