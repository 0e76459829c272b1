import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";

// A page on another origin (a dev server on another port) calling the local server from a browser.

const HEADERS = "authorization, content-type, user-agent, x-retry-count";
const preflight = (url: string, origin: string) =>
  fetch(`${url}/uploads`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": HEADERS },
  });
const create = (url: string, origin: string) =>
  fetch(`${url}/uploads`, {
    method: "POST",
    headers: { origin, authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ bytes: 1, filename: "a.txt", mime_type: "text/plain", purpose: "batch" }),
  });

describe("CORS", () => {
  let loopback: LocalServer;
  let restricted: LocalServer;
  beforeAll(async () => {
    loopback = await startLocalServer({ apiKey: TEST_API_KEY });
    restricted = await startLocalServer({ apiKey: TEST_API_KEY, cors: ["https://app.example"] });
  });
  afterAll(() => Promise.all([loopback?.close(), restricted?.close()]));

  it("answers a preflight from a page of this machine with the methods and headers it asked for", async () => {
    const res = await preflight(loopback.url, "http://localhost:5173");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(res.headers.get("access-control-allow-methods")).toBe("POST");
    expect(res.headers.get("access-control-allow-headers")).toBe(HEADERS);
    // No upload was made, and no key was asked for: browsers send none on a preflight.
    expect(loopback.stats.byOperation.createUpload).toBe(0);
  });

  it("lets that page read the answer and the headers retries and errors need", async () => {
    const res = await create(loopback.url, "http://127.0.0.1:8080");
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:8080");
    expect(res.headers.get("access-control-expose-headers")).toBe("x-request-id, retry-after, retry-after-ms");
  });

  it("gives a page of another site no CORS headers, so its browser refuses the answer", async () => {
    for (const res of [
      await preflight(loopback.url, "https://evil.example"),
      await create(loopback.url, "https://evil.example"),
    ]) {
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("with a list of origins, allows those alone", async () => {
    expect((await preflight(restricted.url, "https://app.example")).headers.get("access-control-allow-origin")).toBe(
      "https://app.example",
    );
    expect(
      (await preflight(restricted.url, "http://localhost:5173")).headers.get("access-control-allow-origin"),
    ).toBeNull();
  });
});
