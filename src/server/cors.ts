import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Which web pages may call the server from a browser: `"loopback"` (the default) lets any page
 * served from this machine (`http://localhost:5173`, `http://127.0.0.1:8080`) do it, a list
 * only those origins, `"*"` any.
 */
export type CorsPolicy = "loopback" | "*" | readonly string[];

/** The headers a browser may read from an answer: what the client's retries and errors use. */
const EXPOSED = "x-request-id, retry-after, retry-after-ms";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether `origin` may call the server under `policy`. */
function allowed(origin: string, policy: CorsPolicy): boolean {
  if (policy === "*") return true;
  if (policy === "loopback") {
    try {
      return LOOPBACK_HOSTS.has(new URL(origin).hostname);
    } catch {
      return false;
    }
  }
  return policy.includes(origin);
}

/**
 * Adds the CORS headers to an answer for a page of an allowed origin, and answers a preflight
 * (OPTIONS) itself: 204, with the methods and the request headers the page asked for. Resolves
 * true when the request was a preflight and has been answered. A page of another origin gets
 * no CORS headers, so its browser refuses the answer, as a real server of another site would.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): boolean {
  const origin = req.headers.origin;
  const ok = origin !== undefined && allowed(origin, policy);
  if (ok) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-expose-headers", EXPOSED);
    res.setHeader("vary", "Origin");
  }
  if (req.method !== "OPTIONS") return false;
  if (ok) {
    res.setHeader("access-control-allow-methods", "POST");
    const asked = req.headers["access-control-request-headers"];
    if (asked) res.setHeader("access-control-allow-headers", asked);
    res.setHeader("access-control-max-age", "600");
  }
  res.writeHead(204).end();
  return true;
}
