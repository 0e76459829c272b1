import { APIUserAbortError } from "../errors/connection.js";

/**
 * Runs `task` for every item with at most `concurrency` running at once, starting them in
 * order. After the first failure no new task starts, but the running ones are allowed to
 * settle (a part that lands still counts for a resume); then the first failure is thrown.
 * Once `signal` fires nothing new starts and the pool rejects with `APIUserAbortError`.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && !signal.aborted && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure) throw failure.error;
  if (signal.aborted) throw new APIUserAbortError();
}
