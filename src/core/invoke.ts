import { apiErrorFor } from "../errors/api-error.js";
import { OpenAIUploadsError } from "../errors/base.js";
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError } from "../errors/connection.js";
import { CredentialError } from "../errors/credential.js";
import { UnexpectedResponseError } from "../errors/unexpected-response.js";
import { attemptSignal } from "./attempt-signal.js";
import type { Invoke, OperationCall, RequestIdentified, SentAttempt } from "./operation.js";
import { nonNegativeInteger, positiveNumber, type RequestOptions } from "./options.js";
import { checkPathParams } from "./path-params.js";
import { MAX_RESPONSE_BYTES, ResponseTooLarge } from "./response-body.js";
import { retryDelay, shouldRetry } from "./retry-delay.js";
import type { SecretRedactor } from "./secrets.js";
import { sleep } from "./sleep.js";
import { successBody } from "./success-body.js";

/** The header that tells the server which retry this is (0 on the first attempt). */
export const RETRY_COUNT_HEADER = "x-retry-count";

interface Defaults {
  maxRetries: number;
  timeoutMs: number;
}

/**
 * The runtime behind every generated operation: checks path parameters, then sends with
 * a timeout per attempt, retries what is worth retrying (re-serializing the whole body each
 * time), checks a 2xx body against the spec (never retrying one that fails: it may have
 * taken effect), and turns failures into typed errors. What a server answered reaches an
 * error only through `secrets`, so that no credential sent (the client's, a proxy's, or one
 * in the client's or a call's own headers) is quoted back in one.
 */
export function createInvoke(defaults: Defaults, secrets: SecretRedactor): Invoke<RequestOptions> {
  return async <Body>(call: OperationCall<RequestOptions>): Promise<Body & RequestIdentified> => {
    const { operation } = call;
    checkPathParams(operation.operationId, call.pathParams);
    const options = call.options ?? {};
    // A call's own headers may carry a credential: that is a secret too.
    secrets.remember(options.headers);
    const maxRetries = nonNegativeInteger("maxRetries", options.maxRetries, defaults.maxRetries);
    const timeoutMs = positiveNumber("timeoutMs", options.timeoutMs, defaults.timeoutMs);
    // Whether an earlier attempt failed in a way that may still have been carried out: no
    // answer, a timeout, a 408 or a 5xx. A refusal of a retry may then be because it was.
    let mayHaveTakenEffect = false;
    for (let retry = 0; ; retry++) {
      if (options.signal?.aborted) throw new APIUserAbortError();
      const attempt = attemptSignal(timeoutMs, options.signal);
      let result: SentAttempt;
      try {
        result = await call.send({
          signal: attempt.signal,
          headers: { ...options.headers, [RETRY_COUNT_HEADER]: String(retry) },
        });
      } catch (cause) {
        if (options.signal?.aborted) throw new APIUserAbortError();
        if (cause instanceof ResponseTooLarge) {
          const { response } = cause;
          throw new UnexpectedResponseError({
            operationId: operation.operationId,
            status: response.status,
            requestId: secrets.redact(response.headers.get("x-request-id") ?? undefined),
            pointer: "",
            problem: `has a body of over ${MAX_RESPONSE_BYTES} bytes`,
            body: undefined,
          });
        }
        // A credential that failed before a retry: what the attempts before it did is part of its outcome.
        if (cause instanceof CredentialError) {
          const { option, problem } = cause;
          throw new CredentialError(option, problem, {
            cause: cause.cause,
            history: { attempts: retry, mayHaveTakenEffect },
          });
        }
        // Our own errors (a file that changed mid-part, say) are verdicts, not transport failures.
        if (cause instanceof OpenAIUploadsError) throw cause;
        const failure = attempt.timedOut()
          ? new APIConnectionTimeoutError(timeoutMs)
          : new APIConnectionError(`Connection error: ${describeCause(cause)}`, { cause });
        if (retry >= maxRetries) throw failure;
        mayHaveTakenEffect = true;
        await sleep(retryDelay(retry), options.signal);
        continue;
      } finally {
        attempt.dispose();
      }
      const { response } = result;
      if (response.ok) {
        const body = successBody(operation, call.pathParams, result.data, response, secrets.redact);
        return withRequestId(body as Body, response.headers);
      }
      if (retry < maxRetries && shouldRetry(response.status, response.headers)) {
        mayHaveTakenEffect ||= response.status === 408 || response.status >= 500;
        await sleep(retryDelay(retry, response.headers), options.signal);
        continue;
      }
      throw apiErrorFor(response.status, secrets.redact(result.error), secrets.redact(response.headers), {
        attempts: retry + 1,
        mayHaveTakenEffect,
      });
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
