import createClient, { type Client } from "openapi-fetch";
import { createOperations, type Operations } from "../../generated/client.js";
import type { paths } from "../../generated/schema.js";
import { VERSION } from "../version.js";
import { setClientInternals } from "./internals.js";
import { createInvoke } from "./invoke.js";
import { type ClientOptions, type RequestOptions, resolveOptions } from "./options.js";

/** The typed Uploads client: the spec's operations plus `raw`, the bare openapi-fetch client. */
export type UploadsClient = Operations<RequestOptions> & {
  /** The openapi-fetch client over the generated `paths`, with auth headers but no retries. */
  readonly raw: Client<paths>;
  /** The base URL requests go to. */
  readonly baseUrl: string;
};

/**
 * Creates a client. Options are checked here, so a missing key or a bad URL fails before
 * any request. The key lives only in a closure, so it never shows in `util.inspect`.
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
  const raw = createClient<paths>({
    baseUrl: resolved.baseUrl,
    headers,
    ...(resolved.fetch ? { fetch: resolved.fetch } : {}),
  });
  const invoke = createInvoke(resolved);
  const client = Object.freeze({ ...createOperations(raw, invoke), raw, baseUrl: resolved.baseUrl });
  setClientInternals(client, { invoke, headers, baseUrl: resolved.baseUrl, customFetch: resolved.fetch !== undefined });
  return client;
}
