import { describe, expect, it, vi } from "vitest";
import {
  APIConnectionTimeoutError,
  APIUserAbortError,
  CredentialError,
  createUploadsClient,
  InvalidArgumentError,
  uploadFile,
} from "../../src/index.js";
import { TEST_API_KEY } from "../support/keys.js";
import { rejection } from "../support/rejection.js";
import { randomFile, server, storedSha256 } from "../upload/support.js";
import { UPLOAD } from "./support.js";

/** A fetch that answers with `statuses` in turn (then 200), recording each request's Authorization. */
function answering(...statuses: number[]) {
  const seen: Array<string | null> = [];
  const fetch = async (request: Request) => {
    seen.push(request.headers.get("authorization"));
    const status = statuses.shift() ?? 200;
    const body = status === 200 ? UPLOAD : { error: { message: "try again", type: "server_error" } };
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  return { fetch, seen };
}

describe("the environment", () => {
  it("gives the key and base URL that are not passed, and a passed one wins", async () => {
    vi.stubEnv("OPENAI_API_KEY", "sk-from-env");
    vi.stubEnv("OPENAI_BASE_URL", "https://proxy.example.test/v1");
    try {
      const { fetch, seen } = answering();
      const client = createUploadsClient({ fetch });
      expect(client.baseUrl).toBe("https://proxy.example.test/v1");
      await client.cancelUpload("upload_1");
      await createUploadsClient({ fetch, apiKey: "sk-passed" }).cancelUpload("upload_1");
      expect(seen).toEqual(["Bearer sk-from-env", "Bearer sk-passed"]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("apiKey as a function", () => {
  it("is asked before each request, retries included, and its key sent as it is then", async () => {
    let n = 0;
    const apiKey = vi.fn(async () => `sk-rotating-${++n}`);
    const { fetch, seen } = answering(500);
    const client = createUploadsClient({ apiKey, fetch, maxRetries: 1 });
    expect(apiKey).not.toHaveBeenCalled();
    await client.cancelUpload("upload_1");
    await client.cancelUpload("upload_1");
    expect(seen).toEqual(["Bearer sk-rotating-1", "Bearer sk-rotating-2", "Bearer sk-rotating-3"]);
    expect(apiKey).toHaveBeenCalledTimes(3);
  });

  it("may give its key synchronously", async () => {
    const { fetch, seen } = answering();
    await createUploadsClient({ apiKey: () => " sk-sync\r\n", fetch }).cancelUpload("upload_1");
    expect(seen).toEqual(["Bearer sk-sync"]);
  });

  const failures: Array<[string, () => unknown, RegExp]> = [
    [
      "throws",
      () => Promise.reject(new Error("vault answered sk-leaked-secret")),
      /^apiKey threw; what it threw is the cause\.$/,
    ],
    ["gives a number", () => 42, /^apiKey gave number, not a string\.$/],
    ["gives undefined", () => undefined, /^apiKey gave undefined, not a string\.$/],
    ["gives null", () => null, /^apiKey gave null, not a string\.$/],
    ["gives a blank string", () => "  ", /^apiKey gave a blank value\.$/],
    ["gives a key with a space inside", () => "sk-two words-secret", /^apiKey gave a value with a space/],
  ];
  it.each(failures)(
    "that %s fails the call with a CredentialError, sending nothing, retrying nothing",
    async (_name, key, message) => {
      const { fetch, seen } = answering();
      const client = createUploadsClient({ apiKey: key as () => string, fetch, maxRetries: 2 });
      const error = await rejection(client.cancelUpload("upload_1"), CredentialError);
      expect(error.message).toMatch(message);
      expect(error).toMatchObject({ option: "apiKey", attempts: 0, mayHaveTakenEffect: false });
      expect(error.message).not.toMatch(/secret|words|leaked/);
      expect(seen).toEqual([]);
    },
  );

  it("that fails before a retry says what the attempts before it were, its cause kept", async () => {
    const thrown = new Error("vault sealed");
    for (const [status, mayHaveTakenEffect] of [
      [500, true],
      [429, false],
    ] as const) {
      let asked = 0;
      const apiKey = () => (asked++ === 0 ? "sk-first-key-0123" : Promise.reject(thrown));
      const { fetch, seen } = answering(status);
      const client = createUploadsClient({ apiKey, fetch, maxRetries: 2 });
      const error = await rejection(client.cancelUpload("upload_1"), CredentialError);
      expect(seen).toHaveLength(1);
      expect(error).toMatchObject({ option: "apiKey", problem: "threw; what it threw is the cause." });
      expect(error).toMatchObject({ attempts: 1, mayHaveTakenEffect, cause: thrown });
    }
  });

  it("keeps what it threw as the cause", async () => {
    const thrown = new Error("vault sealed");
    const client = createUploadsClient({ apiKey: () => Promise.reject(thrown), fetch: answering().fetch });
    expect((await rejection(client.cancelUpload("upload_1"), CredentialError)).cause).toBe(thrown);
  });

  it("that never answers is cut short by the attempt's timeout, and asked again on the retry", async () => {
    const apiKey = vi.fn(() => new Promise<string>(() => {}));
    const client = createUploadsClient({ apiKey, fetch: answering().fetch, timeoutMs: 50, maxRetries: 1 });
    await rejection(client.cancelUpload("upload_1"), APIConnectionTimeoutError);
    expect(apiKey).toHaveBeenCalledTimes(2);
  });

  it("that never answers is cut short by the caller's abort", async () => {
    const client = createUploadsClient({ apiKey: () => new Promise<string>(() => {}), fetch: answering().fetch });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await rejection(client.cancelUpload("upload_1", { signal: controller.signal }), APIUserAbortError);
  });

  it.each([
    ["neither a string nor a function", 42, /^apiKey must be a string or a function that gives one\.$/, undefined],
    ["a blank string", "  \t ", /^apiKey is blank\. Pass apiKey\.$/, "pass"],
  ])("a key that is %s is refused when the client is made, naming the option", (_name, apiKey, message, remedy) => {
    let error: unknown;
    try {
      createUploadsClient({ apiKey: apiKey as string });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ option: "apiKey", remedy });
    expect((error as Error).message).toMatch(message);
  });

  it.each(["node:http", "fetch"] as const)("drives uploadFile, asked once per request (%s)", async (transport) => {
    const local = await server();
    const apiKey = vi.fn(() => TEST_API_KEY);
    const client = createUploadsClient({
      apiKey,
      baseUrl: local.url,
      ...(transport === "fetch" ? { fetch: (request: Request) => fetch(request) } : {}),
    });
    const file = await randomFile(3 * 1024 * 1024 + 5);
    const before = local.stats.requests;
    const upload = await uploadFile(client, { file: file.path, purpose: "batch", partSize: 1024 * 1024 });
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
    // create, 4 parts, complete
    expect(local.stats.requests - before).toBe(6);
    expect(apiKey).toHaveBeenCalledTimes(6);
  });
});
