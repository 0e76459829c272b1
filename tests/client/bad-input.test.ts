import { inspect } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { APIConnectionError, createUploadsClient, InvalidArgumentError, NotFoundError } from "../../src/index.js";
import { TEST_API_KEY } from "../support/keys.js";
import { rejection } from "../support/rejection.js";
import { errorBody, fakeClient } from "./support.js";

describe("refused before any request", () => {
  it("no API key", () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    expect(() => createUploadsClient({ baseUrl: "https://x.test" })).toThrow(/No API key.*OPENAI_API_KEY/);
    vi.unstubAllEnvs();
  });

  it.each(["", "  "])(
    "an OPENAI_BASE_URL of %j counts as unset (docker-compose makes an empty one of an unset variable)",
    (value) => {
      vi.stubEnv("OPENAI_BASE_URL", value);
      try {
        expect(createUploadsClient({ apiKey: TEST_API_KEY }).baseUrl).toBe("https://api.openai.com/v1");
      } finally {
        vi.unstubAllEnvs();
      }
    },
  );

  it.each([
    ["a line break inside", `${TEST_API_KEY}\n# project key`],
    ["a character beyond ASCII", `${TEST_API_KEY}\u2026`],
    ["a byte-order mark before it", `\ufeff${TEST_API_KEY}`],
  ])("an API key with %s, without quoting it", (_, apiKey) => {
    const error = (() => {
      try {
        createUploadsClient({ apiKey, baseUrl: "https://x.test" });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(
      /apiKey has a space, a line break or a non-ASCII character inside: was it pasted whole/,
    );
    expect(inspect(error)).not.toContain(TEST_API_KEY);
  });

  it("an API key that is not a string", () => {
    expect(() => createUploadsClient({ apiKey: 123 as unknown as string })).toThrow(/apiKey must be a string/);
  });

  it.each([
    ["not a URL", "api.openai.com", /is not a URL/],
    ["ftp", "ftp://x.test", /must use https/],
    ["plain http to a remote host", "http://api.example.com/v1", /clear text.*allowInsecureHttp/],
    // Hosts that only start or end like loopback are remote: the key would cross in clear text.
    ["plain http to a host named like localhost", "http://localhost.evil.test/v1", /clear text/],
    ["plain http to a host ending like localhost", "http://my-localhost/v1", /clear text/],
    ["plain http to a host starting like 127.0.0.1", "http://127.0.0.1.evil.test/v1", /clear text/],
  ])("a base URL that is %s", (_, baseUrl, message) => {
    expect(() => createUploadsClient({ apiKey: TEST_API_KEY, baseUrl })).toThrow(message);
  });

  it.each(["http://127.0.0.1:8080/v1", "http://localhost:1/v1", "http://[::1]:1/v1"])(
    "allows http to %s",
    (baseUrl) => {
      expect(createUploadsClient({ apiKey: TEST_API_KEY, baseUrl }).baseUrl).toBe(baseUrl);
    },
  );

  it("allows http to a remote host with allowInsecureHttp", () => {
    expect(() =>
      createUploadsClient({ apiKey: TEST_API_KEY, baseUrl: "http://x.test", allowInsecureHttp: true }),
    ).not.toThrow();
  });

  it.each(["", " ", ".", ".."])("upload id %j", async (id) => {
    const { client, requests } = fakeClient([{}]);
    await expect(client.cancelUpload(id)).rejects.toThrow(InvalidArgumentError);
    expect(requests).toHaveLength(0);
  });

  it.each([
    [-1, undefined],
    [1.5, undefined],
    [undefined, 0],
  ])("maxRetries %s / timeoutMs %s", async (maxRetries, timeoutMs) => {
    const { client, requests } = fakeClient([{}]);
    const options = {
      ...(maxRetries !== undefined ? { maxRetries } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    };
    await expect(client.cancelUpload("upload_1", options)).rejects.toThrow(InvalidArgumentError);
    expect(requests).toHaveLength(0);
  });
});

describe("ids that would change the path", () => {
  it.each(["../x", "a/b", "a?b=1", "a#b", "%2e%2e"])("%j stays inside /uploads/{id}/cancel", async (id) => {
    const { client, requests } = fakeClient([{}]);
    // The fake answers for upload_1, which the client refuses as another upload's: only the URL matters here.
    await client.cancelUpload(id).catch(() => undefined);
    const url = new URL(requests[0]?.request.url ?? "");
    expect(url.pathname).toMatch(/^\/v1\/uploads\/[^/]+\/cancel$/);
    expect(url.search).toBe("");
  });
});

describe("the API key stays secret", () => {
  it("never appears in errors, their stacks, inspect output or the client", async () => {
    const failures = [
      await rejection(
        fakeClient([{ status: 404, body: errorBody("No such upload") }]).client.cancelUpload("upload_1"),
        NotFoundError,
      ),
      await rejection(
        fakeClient([new TypeError("fetch failed")], { maxRetries: 0 }).client.cancelUpload("upload_1"),
        APIConnectionError,
      ),
    ];
    for (const e of failures) {
      for (const text of [e.message, e.stack ?? "", inspect(e, { showHidden: true, depth: 5 }), JSON.stringify(e)]) {
        expect(text).not.toContain(TEST_API_KEY);
      }
    }
    const { client } = fakeClient([{}]);
    expect(inspect(client, { showHidden: true, depth: 5 })).not.toContain(TEST_API_KEY);
    expect(JSON.stringify(Object.keys(client))).not.toContain(TEST_API_KEY);
  });
});
