import { type OperationId, operationIds } from "../../generated/operations.js";
import { ApiError } from "./errors.js";

/**
 * Faults the local server injects so a client's retry and recovery paths can be exercised.
 * Every rate is a probability from 0 to 1, drawn per request from a PRNG seeded with `seed`,
 * so the same seed and the same sequence of requests give the same faults. Only requests that
 * name an operation and pass authentication draw, so a 401 never shifts the sequence.
 */
export interface FaultOptions {
  /** Seed of the PRNG; default 0. */
  seed?: number | undefined;
  /** Fraction of requests answered with an error status from `errorStatuses` instead of being handled. */
  errorRate?: number | undefined;
  /** The statuses an injected error uses, picked at random; default `[500, 503, 429]`. */
  errorStatuses?: number[] | undefined;
  /** Sent as `retry-after-ms` on an injected 429 or 503; default 10. */
  retryAfterMs?: number | undefined;
  /** Fraction of `addUploadPart` requests whose connection is destroyed before the part is read or stored. */
  dropBeforeStoreRate?: number | undefined;
  /**
   * Fraction of `addUploadPart` requests whose part is fully stored, after which the connection
   * is destroyed without a response: the client never learns the part id, leaving an orphan part.
   */
  dropAfterStoreRate?: number | undefined;
  /** Latency in milliseconds added before each request is handled; default 0. */
  delayMs?: number | undefined;
  /** The operationIds faults apply to; default all. Other operations are never faulted and draw nothing. */
  operations?: OperationId[] | undefined;
}

/** What happens to one request. */
export interface FaultPlan {
  delayMs: number;
  /** When set, the request is answered with this error instead of being handled. */
  error?: ApiError;
  /** Destroy the connection before handling the request (only ever set for `addUploadPart`). */
  dropBeforeStore: boolean;
  /** Destroy the connection after handling the request, without a response (only for `addUploadPart`). */
  dropAfterStore: boolean;
}

/** Decides the faults of each request as it arrives; undefined for an operation faults do not apply to. */
export type FaultInjector = (operationId: OperationId) => FaultPlan | undefined;

/** mulberry32: tiny, fast and good enough to spread faults; not for anything secret. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(name: string, value: number | undefined): number {
  const rate = value ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`faults.${name} must be a number from 0 to 1, got ${value}.`);
  return rate;
}

function checkMs(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!(Number.isFinite(ms) && ms >= 0))
    throw new RangeError(`faults.${name} must be a non-negative number, got ${value}.`);
  return ms;
}

/** The injected error for `status`, shaped like the real API's answer for that status. */
function injectedError(status: number, retryAfterMs: number): ApiError {
  const headers: Record<string, string> =
    status === 429 || status === 503 ? { "retry-after-ms": String(retryAfterMs) } : {};
  const note = "(injected by the local server's faults option)";
  if (status === 429) {
    return new ApiError(429, `Rate limit reached for requests ${note}. Please try again in ${retryAfterMs}ms.`, {
      type: "requests",
      code: "rate_limit_exceeded",
      headers,
    });
  }
  const type = status >= 500 ? "server_error" : "invalid_request_error";
  const message =
    status === 503
      ? `The server is overloaded ${note}. Retry after ${retryAfterMs}ms.`
      : `The server had an error while processing your request ${note}. Retry the request.`;
  return new ApiError(status, message, { type, headers });
}

/**
 * Builds the injector for `options`, throwing a RangeError for an out-of-range rate, an
 * unusable status or an unknown operationId, so a typo fails the test setup instead of
 * silently injecting nothing.
 */
export function createFaultInjector(options: FaultOptions): FaultInjector {
  const errorRate = checkRate("errorRate", options.errorRate);
  const dropBeforeStoreRate = checkRate("dropBeforeStoreRate", options.dropBeforeStoreRate);
  const dropAfterStoreRate = checkRate("dropAfterStoreRate", options.dropAfterStoreRate);
  const delayMs = checkMs("delayMs", options.delayMs, 0);
  const retryAfterMs = checkMs("retryAfterMs", options.retryAfterMs, 10);
  const statuses = options.errorStatuses ?? [500, 503, 429];
  if (statuses.length === 0 || !statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599)) {
    throw new RangeError(`faults.errorStatuses must be a non-empty list of 4xx/5xx statuses, got [${statuses}].`);
  }
  const operations = options.operations ?? operationIds;
  for (const op of operations) {
    if (!(operationIds as readonly string[]).includes(op)) {
      throw new RangeError(`faults.operations has unknown operationId '${op}'; use any of ${operationIds.join(", ")}.`);
    }
  }
  const random = mulberry32(options.seed ?? 0);

  return (operationId) => {
    if (!operations.includes(operationId)) return undefined;
    // Always the same four draws, whatever they decide, so request N's faults depend only on
    // the seed and N, not on which faults earlier requests happened to get.
    const [errorDraw, statusDraw, beforeDraw, afterDraw] = [random(), random(), random(), random()];
    const isPart = operationId === "addUploadPart";
    const status = errorDraw < errorRate ? statuses[Math.floor(statusDraw * statuses.length)] : undefined;
    return {
      delayMs,
      error: status === undefined ? undefined : injectedError(status, retryAfterMs),
      dropBeforeStore: status === undefined && isPart && beforeDraw < dropBeforeStoreRate,
      dropAfterStore:
        status === undefined && isPart && beforeDraw >= dropBeforeStoreRate && afterDraw < dropAfterStoreRate,
    };
  };
}
