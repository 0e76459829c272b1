import type { ClientRequest, Agent as HttpAgent, IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { MAX_RESPONSE_BYTES, ResponseTooLarge } from "../core/response-body.js";
import { certificateFailure } from "../errors/tls-certificate.js";

/** A response's headers as web `Headers`. */
export function webHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/**
 * Drops `req` once its bytes stop moving for `ms`: a link that stopped (a NAT or Wi-Fi
 * dropping packets, a server that stopped reading) would otherwise hold the attempt until its
 * timeout. The request fails like a lost connection, so the runtime sends it again, on a new
 * one. Moving means, while the request is sent, that the socket took bytes (its
 * `bytesWritten` grew, however slowly), and, once a response has begun, that a byte of it
 * arrived (call the returned function). The wait between the last request byte and the first
 * response byte is the server's working time, left to the attempt's timeout.
 */
export function watchStall(req: ClientRequest, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let written = 0;
  const check = () => {
    const now = req.socket?.bytesWritten ?? 0;
    if (now === written) return req.destroy(new Error(`no bytes moved for ${ms} ms: the connection stalled`));
    written = now;
    arm();
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(check, ms);
  };
  req.on("finish", () => clearTimeout(timer));
  req.on("close", () => clearTimeout(timer));
  arm();
  return () => {
    written = req.socket?.bytesWritten ?? 0;
    arm();
  };
}

/**
 * The whole body of a (small) response, as text, read no further than MAX_RESPONSE_BYTES:
 * past it the connection is dropped and a 2xx body throws `ResponseTooLarge` with `response`,
 * while any other is cut there (as `limitBody` does for fetch).
 */
export async function readText(res: IncomingMessage, response: Response, moved: () => void): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    moved();
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      res.destroy();
      if (response.ok) throw new ResponseTooLarge(response);
      chunks.push((chunk as Buffer).subarray(0, (chunk as Buffer).length - (size - MAX_RESPONSE_BYTES)));
      break;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A `fetch` for small JSON requests over node:http with the upload's own keep-alive agent,
 * so the few JSON calls of an upload share its connections and skip starting fetch's
 * separate connection pool (tens of milliseconds and tens of MB of RSS in a cold process).
 * A request whose bytes stand still for `stallTimeoutMs` is dropped (see `watchStall`).
 */
export function httpFetch(
  agent: HttpAgent | Promise<HttpAgent>,
  stallTimeoutMs: number,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const through = await agent;
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const send = request.url.startsWith("https:") ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const req = send(request.url, {
        method: request.method,
        agent: through,
        signal: request.signal,
        headers: Object.fromEntries(request.headers),
      });
      const moved = watchStall(req, stallTimeoutMs);
      req.on("error", (error) => reject(certificateFailure(error) ?? error));
      req.on("response", (res) => {
        moved();
        const status = res.statusCode ?? 0;
        const headers = webHeaders(res);
        readText(res, new Response(null, { status, headers }), moved).then(
          (text) => resolve(new Response(text || null, { status, headers })),
          reject,
        );
      });
      req.end(body);
    });
  };
}
