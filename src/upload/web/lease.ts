import type { Lease } from "../platform.js";

/** The part of the Web Locks API (`navigator.locks`) a {@link webLease} uses. */
export interface WebLocks {
  request(
    name: string,
    options: { ifAvailable: true },
    hold: (lock: unknown) => Promise<void> | undefined,
  ): Promise<unknown>;
  query(): Promise<{ held?: ReadonlyArray<{ name?: string }> }>;
}

/** How a page's call is named: the name of the Web Lock it holds. */
const NAMED = "openai-uploads-lock-";

/**
 * A page's lease: a Web Lock named after the call, held from the first time its entry names
 * it until the call ends. The browser releases a page's locks when the page goes (reloaded,
 * closed or crashed), so a page that finds an entry, the same page reloaded among them, can
 * tell at once whether the call that holds it still runs, in this tab or another, instead of
 * taking it as running for a minute after its last save. Where there are no Web Locks (an
 * insecure context, an old browser, an edge runtime), it cannot tell.
 */
export function webLease(locks: WebLocks | undefined): Lease {
  const owner = () => `${NAMED}${Date.now()}-${Math.random().toString(36).slice(2)}`;
  if (!locks) return { owner, alive: () => undefined };
  return {
    owner,
    async alive(name) {
      // Another kind of owner (a Node process's, in a store shared with one; an earlier
      // release's) holds no lock: that tells nothing.
      if (!name.startsWith(NAMED)) return undefined;
      try {
        return (await locks.query()).held?.some((lock) => lock.name === name);
      } catch {
        return undefined;
      }
    },
    // `ifAvailable`, so that it never waits: a new name is always free, but a save must not hang on a grant.
    // Not granted (no browser here refuses a new name), the name is held by no one, and other
    // pages that can query take this call for gone: the lease then protects nothing.
    hold: (name) =>
      new Promise((held) => {
        const none = () => held(() => {});
        const keep = (lock: unknown) => {
          if (lock) return new Promise<void>((letGo) => held(letGo));
          none();
          return undefined;
        };
        locks.request(name, { ifAvailable: true }, keep).catch(none);
      }),
  };
}
