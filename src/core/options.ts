import { InvalidArgumentError } from "../errors/invalid-argument.js";

/** How to reach the API and how hard to try. Every field is optional. */
export interface ClientOptions {
  /** Defaults to the `OPENAI_API_KEY` environment variable. Never printed, logged or put in an error. */
  apiKey?: string | undefined;
  /** Defaults to `OPENAI_BASE_URL`, else `https://api.openai.com/v1`. */
  baseUrl?: string | undefined;
  /** Sent as `OpenAI-Organization`. */
  organization?: string | undefined;
  /** Sent as `OpenAI-Project`. */
  project?: string | undefined;
  /** Retries after the first attempt; default 2. */
  maxRetries?: number | undefined;
  /** Limit for each attempt in milliseconds; default 10 minutes. */
  timeoutMs?: number | undefined;
  /** A fetch implementation to use instead of the global one (tests, proxies). */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Extra headers for every request. */
  headers?: Record<string, string> | undefined;
  /** Allow `http://` to a host other than loopback. The key then crosses the network in clear text. */
  allowInsecureHttp?: boolean | undefined;
  /**
   * Node only: the HTTP proxy to send through (`http://[user:pass@]host:port`), or `false` to
   * ignore the environment. By default `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` decide, as
   * proxy-from-env reads them; loopback hosts are never proxied. Ignored with your own `fetch`, which then
   * carries every request.
   */
  proxy?: string | false | undefined;
}

/** Options of one call; they override the client's. */
export interface RequestOptions {
  /** Aborts the call, including any wait between retries. */
  signal?: AbortSignal | undefined;
  /** Limit for each attempt of this call, in milliseconds; default the client's. */
  timeoutMs?: number | undefined;
  /** Retries of this call after its first attempt; default the client's. */
  maxRetries?: number | undefined;
  /** Headers for this call, over the client's; they are sent again on every retry. */
  headers?: Record<string, string> | undefined;
}

/** The client options after defaults and checks. */
export interface ResolvedOptions {
  apiKey: string;
  baseUrl: string;
  maxRetries: number;
  timeoutMs: number;
  headers: Record<string, string>;
  fetch: ((request: Request) => Promise<Response>) | undefined;
}

const DEFAULT_BASE_URL = "https://api.openai.com/v1";
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Applies the defaults and refuses options that cannot work, before any request is made. */
export function resolveOptions(
  options: ClientOptions,
  // Browsers and edge runtimes have no process: there, the key and URL come from options only.
  env: Readonly<Record<string, string | undefined>> = globalThis.process?.env ?? {},
): Omit<ResolvedOptions, "headers"> & {
  organization: string | undefined;
  project: string | undefined;
  extraHeaders: Record<string, string>;
} {
  // An empty variable (what docker-compose makes of an unset `${VAR}`, say) counts as unset.
  const apiKey = options.apiKey ?? (env.OPENAI_API_KEY || undefined);
  if (apiKey !== undefined && typeof apiKey !== "string")
    throw new InvalidArgumentError("apiKey must be a string.", { option: "apiKey" });
  if (!apiKey?.trim()) {
    throw new InvalidArgumentError(
      options.apiKey === undefined ? "No API key: OPENAI_API_KEY is empty or unset." : "apiKey is blank.",
      { option: "apiKey", remedy: "pass" },
    );
  }
  // fetch would refuse such a key with a message that quotes it; keys are printable ASCII.
  // Leading and trailing HTTP whitespace (a .env line's CR LF, say) is trimmed here, once, for
  // every transport: node:http refuses a CR in a header where fetch trims it. Not String.trim's
  // wider set, which would let a BOM or a no-break space through.
  const key = /^[\t\n\r ]*([!-~]+)[\t\n\r ]*$/.exec(apiKey)?.[1];
  if (!key) {
    throw new InvalidArgumentError(
      "apiKey has a space, a line break or a non-ASCII character inside: was it pasted whole and alone?",
      { option: "apiKey" },
    );
  }
  const baseUrl = (options.baseUrl ?? (env.OPENAI_BASE_URL || DEFAULT_BASE_URL)).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidArgumentError(`baseUrl ${JSON.stringify(baseUrl)} is not a URL; use e.g. ${DEFAULT_BASE_URL}.`, {
      option: "baseUrl",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidArgumentError(`baseUrl must use https:// (or http:// to loopback), not ${url.protocol}//.`, {
      option: "baseUrl",
    });
  }
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname) && !options.allowInsecureHttp) {
    throw new InvalidArgumentError(
      `baseUrl ${url.origin} would send the API key in clear text; use https://, or allow it.`,
      {
        option: "allowInsecureHttp",
        remedy: "pass",
        value: "true",
      },
    );
  }
  return {
    apiKey: key,
    baseUrl,
    maxRetries: nonNegativeInteger("maxRetries", options.maxRetries, 2),
    timeoutMs: positiveNumber("timeoutMs", options.timeoutMs, 10 * 60 * 1000),
    fetch: options.fetch,
    organization: options.organization,
    project: options.project,
    extraHeaders: options.headers ?? {},
  };
}

/** Checks a per-call or client `maxRetries`. */
export function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be an integer >= 0, got ${value}.`, { option: name });
  }
  return value;
}

/** Checks a per-call or client `timeoutMs`. */
export function positiveNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
    throw new InvalidArgumentError(`${name} must be a number of milliseconds > 0, got ${value}.`, { option: name });
  }
  return value;
}
