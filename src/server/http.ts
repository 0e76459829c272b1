import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors.js";

/**
 * The largest JSON body accepted. A `completeUpload` listing thousands of part ids stays far
 * below it; anything bigger is a client bug, not a request worth holding in memory.
 */
const JSON_BODY_LIMIT = 4 * 1024 * 1024;

/** The media type of a request, lower-cased and without parameters such as `charset`. */
export function mediaType(req: IncomingMessage): string | undefined {
  return req.headers["content-type"]?.split(";")[0]?.trim().toLowerCase() || undefined;
}

/**
 * Reads and parses a JSON request body. Throws a 400 {@link ApiError} for a wrong content
 * type, an empty body or invalid JSON, and a 413 for a body over 4 MiB. The body is always
 * read to its end, so the connection stays usable for the error response.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = mediaType(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= JSON_BODY_LIMIT) chunks.push(chunk);
  }
  if (type !== "application/json") {
    throw new ApiError(
      400,
      `Expected a JSON body with 'Content-Type: application/json', but the Content-Type was ${type ? `'${type}'` : "missing"}.`,
    );
  }
  if (size > JSON_BODY_LIMIT) {
    throw new ApiError(413, `The JSON body is ${size} bytes; this server accepts at most ${JSON_BODY_LIMIT}.`);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new ApiError(400, "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      400,
      `We could not parse the JSON body of your request (${(error as Error).message}). Send a valid JSON object.`,
    );
  }
}

/** Sends a JSON response with an explicit length, so keep-alive clients know where it ends. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": String(payload.length),
  });
  res.end(payload);
}
