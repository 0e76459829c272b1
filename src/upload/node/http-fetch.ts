import type { Agent as HttpAgent, IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** A response's headers as web `Headers`. */
export function webHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/** The whole body of a (small) response. */
export async function readBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A `fetch` for small JSON requests over node:http with the upload's own keep-alive agent,
 * so the few JSON calls of an upload share its connections and skip starting fetch's
 * separate connection pool (tens of milliseconds on a cold process).
 */
export function httpFetch(agent: HttpAgent): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const send = request.url.startsWith("https:") ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const req = send(request.url, {
        method: request.method,
        agent,
        signal: request.signal,
        headers: Object.fromEntries(request.headers),
      });
      req.on("error", reject);
      req.on("response", (res) => {
        readBody(res).then(
          (bytes) =>
            resolve(
              new Response(bytes.length ? new Uint8Array(bytes) : null, {
                status: res.statusCode ?? 0,
                headers: webHeaders(res),
              }),
            ),
          reject,
        );
      });
      req.end(body);
    });
  };
}
