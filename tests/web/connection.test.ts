import { afterEach, describe, expect, it, vi } from "vitest";
import { APIConnectionError, createUploadsClient } from "../../src/index.web.js";
import { rejection } from "../support/rejection.js";

const KEY = "sk-web-secret";

describe("a request from the web entry that gets no answer", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is an APIConnectionError that says it is often CORS and names the headers to allow", async () => {
    // What a browser gives a page for a refused preflight and for a network that is down alike.
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    vi.stubGlobal("fetch", fetch);
    const client = createUploadsClient({ apiKey: KEY, baseUrl: "https://uploads.example/v1", maxRetries: 1 });
    const { message } = await rejection(client.cancelUpload("upload_1"), APIConnectionError);
    expect(message).toMatch(
      /^Connection error: Failed to fetch; in a web page this is often CORS: the server must allow its origin and the headers .*authorization/,
    );
    expect(message).toContain("x-retry-count");
    expect(message.match(/Failed to fetch/g)).toHaveLength(1);
    expect(message).not.toContain(KEY);
    // still retried: the same failure is what a network that is down gives
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("keeps a custom fetch's own failure as it is", async () => {
    const client = createUploadsClient({
      apiKey: KEY,
      maxRetries: 0,
      fetch: async () => {
        throw new TypeError("offline");
      },
    });
    expect((await rejection(client.cancelUpload("upload_1"), APIConnectionError)).message).toBe(
      "Connection error: offline",
    );
  });
});
