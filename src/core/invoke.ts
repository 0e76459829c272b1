import type { Invoke, OperationCall, RequestIdentified } from "../../generated/client.js";
import { apiErrorFor } from "../errors/api-error.js";
import { OpenAIUploadsError } from "../errors/base.js";
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError } from "../errors/connection.js";
import { attemptSignal } from "./attempt-signal.js";
import { nonNegativeInteger, positiveNumber, type RequestOptions } from "./options.js";
import { checkPathParams } from "./path-params.js";
import { retryDelay, shouldRetry } from "./retry-delay.js";
import { sleep } from "./sleep.js";

/** The header that tells the server which retry this is (0 on the first attempt). */
export const RETRY_COUNT_HEADER = "x-retry-count";

interface Defaults {
  maxRetries: number;
  timeoutMs: number;
}

type SendResult = { data?: unknown; error?: unknown; response: Response };

const answeredRetry = new WeakSet<object>();

/**
 * Whether `error` is the server's answer to a retry: an earlier attempt failed in a way that
 * may still have been carried out (no answer, a timeout, a 5xx), and the refusal may be
 * because it was (completing an upload twice, say).
 */
export function mayHaveTakenEffect(error: unknown): boolean {
  return answeredRetry.has(error as object);
}

/**
 * The runtime behind every generated operation: checks path parameters, then sends with
 * a timeout per attempt, retries what is worth retrying (re-serializing the whole body each
 * time), and turns failures into typed errors.
 */
export function createInvoke(defaults: Defaults): Invoke<RequestOptions> {
  return async <Result extends SendResult>(call: OperationCall<RequestOptions, Result>) => {
    checkPathParams(call.operationId, call.pathParams);
    const options = call.options ?? {};
    const maxRetries = nonNegativeInteger("maxRetries", options.maxRetries, defaults.maxRetries);
    const timeoutMs = positiveNumber("timeoutMs", options.timeoutMs, defaults.timeoutMs);
    for (let retry = 0; ; retry++) {
      if (options.signal?.aborted) throw new APIUserAbortError();
      const attempt = attemptSignal(timeoutMs, options.signal);
      let result: SendResult;
      try {
        result = await call.send({
          signal: attempt.signal,
          headers: { ...options.headers, [RETRY_COUNT_HEADER]: String(retry) },
        });
      } catch (cause) {
        if (options.signal?.aborted) throw new APIUserAbortError();
        // Our own errors (a file that changed mid-part, say) are verdicts, not transport failures.
        if (cause instanceof OpenAIUploadsError) throw cause;
        const failure = attempt.timedOut()
          ? new APIConnectionTimeoutError(timeoutMs)
          : new APIConnectionError(`Connection error: ${describeCause(cause)}`, { cause });
        if (retry >= maxRetries) throw failure;
        await sleep(retryDelay(retry), options.signal);
        continue;
      } finally {
        attempt.dispose();
      }
      const { response } = result;
      if (response.ok) return withRequestId(result.data as Exclude<Result["data"], undefined>, response.headers);
      if (retry < maxRetries && shouldRetry(response.status, response.headers)) {
        await sleep(retryDelay(retry, response.headers), options.signal);
        continue;
      }
      const error = apiErrorFor(response.status, result.error, response.headers);
      if (retry) answeredRetry.add(error);
      throw error;
    }
  };
}

/** Attaches the response's `x-request-id` to a JSON object body, as `_request_id`, hidden from enumeration. */
function withRequestId<Body>(body: Body, headers: Headers): Body & RequestIdentified {
  const requestId = headers.get("x-request-id");
  if (requestId && typeof body === "object" && body !== null) {
    Object.defineProperty(body, "_request_id", { value: requestId, enumerable: false });
  }
  return body as Body & RequestIdentified;
}

/** fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a TLS failure) one level down. */
function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
  const detail = inner?.code ?? inner?.message;
  return `${(cause as Error)?.message ?? String(cause)}${detail ? ` (${detail})` : ""}`;
}
