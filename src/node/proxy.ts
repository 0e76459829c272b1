import type { AgentOptions, Agent as HttpAgent } from "node:http";
import { createRequire } from "node:module";
import { OpenAIUploadsError } from "../errors/base.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { ProxyAuthenticationError } from "../errors/proxy.js";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * A proxy URL as messages may show it: scheme, host and port, never a user name or password.
 * Cut from the text, not parsed, so that a password with a `/` or `#` in it cannot end up
 * looking like a host.
 */
export function redactedProxy(proxy: string | URL): string {
  const text = String(proxy);
  const scheme = /^[a-z][\w+.-]*:\/\//i.exec(text)?.[0] ?? "";
  const rest = text.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  const host = (at === -1 ? rest : rest.slice(at + 1)).replace(/[/?#].*$/, "");
  return `${scheme}${host}`;
}

// Loaded when a proxy is set, not at import: most processes have none, and the proxy agents
// and what they pull in were most of the time it took to import the package.
const require = createRequire(import.meta.url);

/** The raw value of the variable proxy-from-env took the proxy from, for a target of `protocol`. */
function proxyVariable(protocol: string): string | undefined {
  const env = process.env;
  const name = `${protocol.replace(/:$/, "")}_proxy`;
  return env[name] || env[name.toUpperCase()] || env.all_proxy || env.ALL_PROXY || undefined;
}

/**
 * The proxy to reach `target` through, under Node: the `proxy` option when given (`false`
 * for none), else `HTTPS_PROXY` / `HTTP_PROXY` (and `ALL_PROXY`) with `NO_PROXY`, as
 * proxy-from-env reads them (a value without a scheme is http://, as curl takes it). Loopback hosts are never proxied, so a local server or mock
 * keeps working behind a corporate proxy. A proxy that is not a URL is refused, naming it
 * without its credentials.
 */
export function proxyFor(target: URL, option: string | false | undefined): URL | undefined {
  if (option === false || LOOPBACK.test(target.hostname)) return undefined;
  const raw = option === undefined ? proxyVariable(target.protocol) : undefined;
  if (option === undefined && raw === undefined) return undefined;
  let chosen = option ?? (require("proxy-from-env") as typeof import("proxy-from-env")).getProxyForUrl(target);
  if (!chosen) return undefined;
  // proxy-from-env gives a value without a scheme the target's (https://); curl, and proxies,
  // mean http:// by it.
  if (raw && !raw.includes("://")) chosen = `http://${raw}`;
  try {
    const url = new URL(chosen.includes("://") ? chosen : `http://${chosen}`);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(url.protocol);
    return url;
  } catch {
    throw new InvalidArgumentError(
      `The proxy ${JSON.stringify(redactedProxy(chosen))} (the proxy option, or HTTPS_PROXY / HTTP_PROXY) is not an ` +
        "http:// or https:// URL; fix it, or set proxy: false to ignore the environment.",
      { option: "proxy" },
    );
  }
}

/**
 * A keep-alive agent for requests to `target`: through `proxy` when there is one (a CONNECT
 * tunnel for https, absolute-URI requests for http), else straight. The agents get the proxy
 * without its credentials (their debug log prints the URL they are given); the credentials go
 * as a `Proxy-Authorization` header.
 */
export async function agentFor(target: URL, proxy: URL | undefined, options: AgentOptions): Promise<HttpAgent> {
  const secure = target.protocol === "https:";
  if (!proxy) return new (await import(secure ? "node:https" : "node:http")).Agent(options);
  const bare = new URL(proxy);
  bare.username = "";
  bare.password = "";
  const headers = proxyAuthorization(proxy);
  if (secure) {
    const { HttpsProxyAgent } = await import("https-proxy-agent");
    return new HttpsProxyAgent(bare, { ...options, headers });
  }
  const { HttpProxyAgent } = await import("http-proxy-agent");
  return new HttpProxyAgent(bare, { ...options, headers });
}

/** The header that carries a proxy URL's credentials, Basic; none when the URL has none. */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const pair = `${decoded(proxy.username)}:${decoded(proxy.password)}`;
  return { "Proxy-Authorization": `Basic ${Buffer.from(pair).toString("base64")}` };
}

/** A URL's percent-encoded part decoded; a `%` that starts no escape (`p%ss`) is kept as typed, as curl keeps it. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * A connection failure on the way through `proxy`, saying so: "proxy http://host:3128: connect
 * ECONNREFUSED", without the proxy's credentials. The cause (and its code) stays as it was.
 */
export function viaProxy(error: unknown, proxy: URL | undefined): unknown {
  if (!proxy || !(error instanceof Error) || error instanceof OpenAIUploadsError) return error;
  return Object.assign(new Error(`proxy ${redactedProxy(proxy)}: ${error.message}`, { cause: error }), {
    code: (error as { code?: unknown }).code,
  });
}

/** The error for a proxy's 407 answer, naming the proxy without its credentials. */
export function proxyAuthentication(proxy: URL): ProxyAuthenticationError {
  return new ProxyAuthenticationError(redactedProxy(proxy), proxy.username !== "" || proxy.password !== "");
}
