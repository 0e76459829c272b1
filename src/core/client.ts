import { createOperations, type Operations } from "../../generated/client.js";
import { VERSION } from "../version.js";
import { createInvoke } from "./invoke.js";
import type { Invoke } from "./operation.js";
import { type ClientOptions, type RequestOptions, resolveOptions } from "./options.js";
import { requestSender } from "./request.js";
import { limitBody } from "./response-body.js";

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
  /** The retrying, checking runtime behind the typed operations. */
  readonly invoke: Invoke<RequestOptions>;
  /** Every request's headers, `Authorization` included. */
  requestHeaders(): Record<string, string>;
  /** Whether the client was given its own `fetch`; helpers must then send through it, not around it. */
  readonly customFetch: boolean;
}

/** The typed Uploads client: one function per operation of the spec. */
export type UploadsClient = Operations<RequestOptions> & {
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /** How the client sends, for this package's helpers: see {@link ClientRuntime}. */
  readonly runtime: ClientRuntime;
};

/**
 * Creates a client. Options are checked here, so a missing key or a bad URL fails before
 * any request. The key lives only in a closure, so it never shows in `util.inspect`.
 * Response bodies are read up to `MAX_RESPONSE_BYTES`, whatever `fetch` is used.
 */
export function createUploadsClient(options: ClientOptions = {}): UploadsClient {
  const resolved = resolveOptions(options);
  const headers: Record<string, string> = {
    "User-Agent": `openai-uploads/${VERSION}`,
    ...(resolved.organization ? { "OpenAI-Organization": resolved.organization } : {}),
    ...(resolved.project ? { "OpenAI-Project": resolved.project } : {}),
    ...resolved.extraHeaders,
    Authorization: `Bearer ${resolved.apiKey}`,
  };
  // The global fetch is looked up per request, so that one replaced later (by a test) is used.
  const fetch = resolved.fetch ?? ((request: Request) => globalThis.fetch(request));
  const send = requestSender({
    baseUrl: resolved.baseUrl,
    headers,
    fetch: async (request) => limitBody(await fetch(request)),
  });
  const invoke = createInvoke(resolved);
  const runtime: ClientRuntime = Object.freeze({
    baseUrl: resolved.baseUrl,
    invoke,
    requestHeaders: () => ({ ...headers }),
    customFetch: resolved.fetch !== undefined,
  });
  return Object.freeze({ ...createOperations(send, invoke), baseUrl: resolved.baseUrl, runtime });
}
