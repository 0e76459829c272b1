import { retryDelay, shouldRetry } from "../core/retry-delay.js";
import { sleep } from "../core/sleep.js";
import { APIError } from "../errors/api-error.js";
import { APIConnectionError } from "../errors/connection.js";

/** How long a part keeps being retried while nothing gets through, and how it reports waiting. */
export interface Patience {
  /** Milliseconds without progress of the whole upload after which a part's failure is final. */
  budgetMs: number;
  /** When the upload last moved a byte or had a part accepted, as `Date.now()` counts. */
  lastProgressAt(): number;
  /** Stops the waiting: rejects with `APIUserAbortError`. */
  signal: AbortSignal;
  /** Told when this part starts waiting for the network; it stops waiting once it makes progress again. */
  waiting(): void;
}

/** A failure that an outage or an overloaded server explains, and waiting may cure. */
function passing(error: unknown): boolean {
  return error instanceof APIConnectionError || (error instanceof APIError && shouldRetry(error.status, error.headers));
}

/**
 * Sends a part (with the client's own retries each time) until it is accepted, waiting out an
 * outage: after a connection error, a timeout, a stall, a 408, 409, 429 or 5xx, it tries again
 * with the client's backoff (capped at 8 s, honouring Retry-After), for as long as the upload as
 * a whole made progress within `budgetMs`. Any other failure, or one past the budget, is thrown.
 */
export async function withPatience<T>(send: () => Promise<T>, patience: Patience): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return await send();
    } catch (error) {
      if (!passing(error) || Date.now() - patience.lastProgressAt() >= patience.budgetMs) throw error;
      patience.waiting();
      await sleep(retryDelay(round, error instanceof APIError ? error.headers : undefined), patience.signal);
    }
  }
}
