import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { retryDelay, shouldRetry } from "../../src/index.js";

const NOW = Date.parse("2026-11-22T12:00:00Z");

describe("retryDelay", () => {
  it("backs off 0.5 s x 2^n, capped at 8 s, less at most 25 % jitter", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (n, r) => {
        const full = Math.min(500 * 2 ** n, 8000);
        const delay = retryDelay(n, new Headers(), NOW, () => r);
        expect(delay).toBeGreaterThanOrEqual(full * 0.75);
        expect(delay).toBeLessThanOrEqual(full);
      }),
    );
  });

  it("measured schedule without hints, no jitter: 500, 1000, 2000, 4000, 8000, 8000 ms", () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => retryDelay(n, undefined, NOW, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
  });

  it.each<[Record<string, string>, number]>([
    [{ "retry-after-ms": "1500" }, 1500],
    [{ "retry-after-ms": "1500", "retry-after": "9" }, 1500],
    [{ "retry-after": "3" }, 3000],
    [{ "retry-after": new Date(NOW + 5000).toUTCString() }, 5000],
  ])("honours %j", (headers, expected) => {
    expect(retryDelay(4, new Headers(headers), NOW, () => 0)).toBe(expected);
  });

  const unusable: Record<string, string>[] = [
    { "retry-after": "61" },
    { "retry-after-ms": "60000" },
    { "retry-after": "soon" },
    // A wait in the past, or below zero, is no wait to honour: never a negative delay.
    { "retry-after-ms": "-5" },
    { "retry-after": "-2" },
    { "retry-after": new Date(NOW - 5000).toUTCString() },
  ];
  it.each(unusable)("falls back to backoff for %j (a minute or more, below zero, or unreadable)", (headers) => {
    expect(retryDelay(0, new Headers(headers), NOW, () => 0)).toBe(500);
  });
});

describe("shouldRetry", () => {
  it("retries 408, 409, 429 and 5xx but a full disk's 507; x-should-retry overrides", () => {
    const none = new Headers();
    expect([400, 401, 403, 404, 408, 409, 422, 429, 500, 507, 599].filter((s) => shouldRetry(s, none))).toEqual([
      408, 409, 429, 500, 599,
    ]);
    expect(shouldRetry(400, new Headers({ "x-should-retry": "true" }))).toBe(true);
    expect(shouldRetry(503, new Headers({ "x-should-retry": "false" }))).toBe(false);
  });
});
