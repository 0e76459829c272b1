/** Server-suggested waits beyond this are ignored in favour of our own backoff, as the official SDKs do. */
const MAX_SUGGESTED_WAIT_MS = 60_000;
const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
const MAX_JITTER = 0.25;

/**
 * Whether a failed response is worth another attempt: `x-should-retry` decides when the
 * server sent it; otherwise 408, 409, 429 and every 5xx but 507 are retried. A 507 (the
 * server has no room to store the request, a full disk) does not pass by waiting seconds.
 */
export function shouldRetry(status: number, headers: Headers): boolean {
  const verdict = headers.get("x-should-retry");
  if (verdict === "true") return true;
  if (verdict === "false") return false;
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status !== 507);
}

/**
 * How long to wait before retry number `retry` (0 for the first retry): `retry-after-ms`,
 * else `retry-after` in seconds or as an HTTP date, when under a minute; else
 * 0.5 s x 2^retry capped at 8 s, less up to 25 % jitter so clients spread out.
 */
export function retryDelay(retry: number, headers?: Headers, now = Date.now(), random = Math.random): number {
  const suggested = suggestedWait(headers, now);
  if (suggested !== undefined && suggested >= 0 && suggested < MAX_SUGGESTED_WAIT_MS) return suggested;
  const backoff = Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS);
  return backoff * (1 - random() * MAX_JITTER);
}

function suggestedWait(headers: Headers | undefined, now: number): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (!Number.isNaN(ms)) return ms;
  const after = headers?.get("retry-after");
  if (!after) return undefined;
  const seconds = Number.parseFloat(after);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : date - now;
}
