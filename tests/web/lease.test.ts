import { describe, expect, it } from "vitest";
import { type WebLocks, webLease } from "../../src/upload/web/lease.js";

// The page's lease on Web Locks (Chromium runs the real one: tests/package/browser.test.ts);
// here, what it does where the lock manager is missing or refuses.

describe("a page's lease", () => {
  it("without Web Locks, cannot tell whether a call runs, and holds nothing", async () => {
    const lease = webLease(undefined);
    expect(await lease.alive(lease.owner())).toBeUndefined();
    expect(lease.hold).toBeUndefined();
  });

  it("holds a call's name until let go, and tells it alive meanwhile", async () => {
    const held = new Set<string>();
    const locks: WebLocks = {
      async request(name, _options, hold) {
        held.add(name);
        await hold({ name });
        held.delete(name);
      },
      query: async () => ({ held: [...held].map((name) => ({ name })) }),
    };
    const lease = webLease(locks);
    const [mine, theirs] = [lease.owner(), lease.owner()];
    expect(mine).not.toBe(theirs);
    const letGo = await lease.hold?.(mine);
    expect([await lease.alive(mine), await lease.alive(theirs)]).toEqual([true, false]);
    letGo?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await lease.alive(mine)).toBe(false);
  });

  it("never waits on a lock manager that refuses, or has the name taken: a save must not hang", async () => {
    const refusing: WebLocks = {
      request: () => Promise.reject(new DOMException("The request was aborted.", "SecurityError")),
      query: () => Promise.reject(new DOMException("The request was aborted.", "SecurityError")),
    };
    const taken: WebLocks = {
      request: async (_name, _options, hold) => hold(null),
      query: async () => ({ held: [] }),
    };
    for (const locks of [refusing, taken]) {
      const lease = webLease(locks);
      const letGo = await lease.hold?.(lease.owner());
      expect(typeof letGo).toBe("function");
    }
    const [refused, free] = [webLease(refusing), webLease(taken)];
    expect(await refused.alive(refused.owner())).toBeUndefined();
    expect(await free.alive(free.owner())).toBe(false);
  });

  it("tells nothing of an owner that is not a page's lock: a Node process's, an earlier release's", async () => {
    const lease = webLease({ request: async () => undefined, query: async () => ({ held: [] }) });
    for (const owner of ["host:1234:5f0c2a", "1733212800000-k2j4"]) expect(await lease.alive(owner)).toBeUndefined();
  });
});
