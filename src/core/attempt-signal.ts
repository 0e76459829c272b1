/**
 * An abort signal for one attempt: fires on the caller's signal or after the timeout, and says
 * which. Tied to the caller's signal with `AbortSignal.any` where the runtime has it, which
 * adds no listener to that signal: uploadFile's many parts in flight on one signal would
 * otherwise pass Node's 10 listeners and print a MaxListenersExceededWarning.
 */
export function attemptSignal(timeoutMs: number, callerSignal?: AbortSignal) {
  const timeout = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    timeout.abort(new Error("timeout"));
  }, timeoutMs);
  let signal = timeout.signal;
  let untie = () => {};
  if (callerSignal && typeof AbortSignal.any === "function") signal = AbortSignal.any([callerSignal, timeout.signal]);
  else if (callerSignal) {
    const onAbort = () => timeout.abort(callerSignal.reason);
    callerSignal.addEventListener("abort", onAbort, { once: true });
    untie = () => callerSignal.removeEventListener("abort", onAbort);
  }
  return {
    signal,
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      untie();
    },
  };
}

/**
 * Settles as `promise` does, or rejects with `signal`'s reason once it aborts first: for what
 * an attempt awaits before its request exists (a credential function), which the attempt's
 * timeout and the caller's abort must cut short as they do the request itself.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
