/**
 * The most bytes of a response body the client reads. Every answer of the API is a small JSON
 * object (a completed Upload is under a kilobyte); past this the body is not one, and reading
 * on would only grow memory.
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** A response body went on past {@link MAX_RESPONSE_BYTES}. Internal: the runtime reports it as an `UnexpectedResponseError`. */
export class ResponseTooLarge extends Error {
  override name = "ResponseTooLarge";
  constructor(readonly response: Response) {
    super(`the response body is over ${MAX_RESPONSE_BYTES} bytes`);
  }
}

/**
 * The same response, read no further than `limit` bytes; the rest is never read, and the
 * connection is released. A 2xx body that goes on fails with {@link ResponseTooLarge}: it
 * cannot be the answer the spec describes. Any other body is cut at the limit, so its status
 * still makes the error (and the retry) it deserves.
 */
export function limitBody(response: Response, limit = MAX_RESPONSE_BYTES): Response {
  if (!response.body) return response;
  let seen = 0;
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen <= limit) return controller.enqueue(chunk);
        if (response.ok) return controller.error(new ResponseTooLarge(response));
        controller.enqueue(chunk.subarray(0, chunk.byteLength - (seen - limit)));
        controller.terminate();
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
