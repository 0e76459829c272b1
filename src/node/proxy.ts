import { type AgentOptions, Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { getProxyForUrl } from "proxy-from-env";
import { OpenAIUploadsError } from "../errors/base.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { ProxyAuthenticationError } from "../errors/proxy.js";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** A proxy URL as messages may show it: without its user name and password. */
export function redactedProxy(proxy: string | URL): string {
  try {
    const url = new URL(proxy);
    url.username = "";
    url.password = "";
    return url.origin;
  } catch {
    return String(proxy).replace(/\/\/[^@/]*@/, "//");
  }
}

/**
 * The proxy to reach `target` through, under Node: the `proxy` option when given (`false`
 * for none), else `HTTPS_PROXY` / `HTTP_PROXY` (and `ALL_PROXY`) with `NO_PROXY`, read as curl
 * reads them (by proxy-from-env). Loopback hosts are never proxied, so a local server or mock
 * keeps working behind a corporate proxy. A proxy that is not a URL is refused, naming it
 * without its credentials.
 */
export function proxyFor(target: URL, option: string | false | undefined): URL | undefined {
  if (option === false || LOOPBACK.test(target.hostname)) return undefined;
  const chosen = option ?? getProxyForUrl(target);
  if (!chosen) return undefined;
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
 * tunnel for https, absolute-URI requests for http), else straight.
 */
export function agentFor(target: URL, proxy: URL | undefined, options: AgentOptions): HttpAgent {
  const secure = target.protocol === "https:";
  if (!proxy) return new (secure ? HttpsAgent : HttpAgent)(options);
  return secure ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
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
