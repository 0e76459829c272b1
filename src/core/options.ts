import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { type AuthHeaders, type Credential, credentialHeaders } from "./credentials.js";

/** How to reach the API and how hard to try. Every field is optional. */
export interface ClientOptions {
  /**
   * Defaults to the `OPENAI_API_KEY` environment variable. Never printed, logged or put in an
   * error. A function (sync or async) is asked for the key before each request, retries
   * included, so a rotating key or a short-lived token needs no new client; what it throws or
   * gives that is not a key is a `CredentialError`, and the request is not sent.
   */
  apiKey?: Credential | undefined;
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

/** Where a client's requests go and how they are authenticated: OpenAI's way, or Azure's. */
export interface ClientTarget {
  /** The base URL, without a trailing slash. */
  baseUrl: string;
  /** Query parameters of every request: Azure's `api-version`. */
  query: Readonly<Record<string, string>>;
  /** The headers that authenticate each request. */
  auth: AuthHeaders;
}

/** The client options after defaults and checks, apart from the target. */
export interface ResolvedOptions {
  maxRetries: number;
  timeoutMs: number;
  fetch: ((request: Request) => Promise<Response>) | undefined;
  organization: string | undefined;
  project: string | undefined;
  extraHeaders: Record<string, string>;
}

const DEFAULT_BASE_URL = "https://api.openai.com/v1";
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** A variable's value, or undefined when it is unset, empty or blank (what docker-compose makes of an unset `${VAR}`, say). */
export const fromEnv = (value: string | undefined): string | undefined => (value?.trim() ? value : undefined);

/** Browsers and edge runtimes have no process: there, every value comes from options only. */
export const processEnv = (): Readonly<Record<string, string | undefined>> => globalThis.process?.env ?? {};

/** Applies the defaults to how a client sends and refuses options that cannot work, before any request is made. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  return {
    maxRetries: nonNegativeInteger("maxRetries", options.maxRetries, 2),
    timeoutMs: positiveNumber("timeoutMs", options.timeoutMs, 10 * 60 * 1000),
    fetch: options.fetch,
    organization: options.organization,
    project: options.project,
    extraHeaders: options.headers ?? {},
  };
}

/**
 * OpenAI's target: `baseUrl` (else `OPENAI_BASE_URL`, else the API's) with the key, else
 * `OPENAI_API_KEY`, as a Bearer token. An empty or blank variable counts as unset.
 */
export function openAITarget(options: ClientOptions, env = processEnv()): ClientTarget {
  const apiKey = options.apiKey ?? fromEnv(env.OPENAI_API_KEY);
  if (apiKey === undefined) {
    throw new InvalidArgumentError("No API key: OPENAI_API_KEY is empty or unset.", {
      option: "apiKey",
      remedy: "pass",
    });
  }
  return {
    baseUrl: checkedBaseUrl(options.baseUrl ?? fromEnv(env.OPENAI_BASE_URL) ?? DEFAULT_BASE_URL, {
      option: "baseUrl",
      example: DEFAULT_BASE_URL,
      allowInsecureHttp: options.allowInsecureHttp,
    }),
    query: {},
    auth: credentialHeaders(apiKey, "apiKey", (key) => ({ Authorization: `Bearer ${key}` })),
  };
}

/**
 * A base URL without its trailing slashes, refused when it is not an http(s) URL, or when it is
 * plain http to a host other than this machine without `allowInsecureHttp`: the key would
 * cross the network in clear text. `option` is the option that gave it, `example` a URL of
 * the right kind for the message.
 */
export function checkedBaseUrl(
  value: string,
  { option, example, allowInsecureHttp }: { option: string; example: string; allowInsecureHttp: boolean | undefined },
): string {
  const baseUrl = value.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidArgumentError(`${option} ${JSON.stringify(baseUrl)} is not a URL; use e.g. ${example}.`, {
      option,
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidArgumentError(`${option} must use https:// (or http:// to loopback), not ${url.protocol}//.`, {
      option,
    });
  }
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname) && !allowInsecureHttp) {
    throw new InvalidArgumentError(
      `${option} ${url.origin} would send the API key in clear text; use https://, or allow it.`,
      { option: "allowInsecureHttp", remedy: "pass", value: "true" },
    );
  }
  return baseUrl;
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
