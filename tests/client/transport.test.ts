import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  BadRequestError,
  InternalServerError,
  InvalidArgumentError,
  MAX_RESPONSE_BYTES,
  RateLimitError,
  UnexpectedResponseError,
  VERSION,
} from "../../src/index.js";
import { TEST_API_KEY } from "../support/keys.js";
import { rejection } from "../support/rejection.js";
import { errorBody, fakeClient, UPLOAD } from "./support.js";

const fast = { "retry-after-ms": "1" };

describe("headers", () => {
  it("sends auth, user agent, organization, project and the retry count", async () => {
    const { client, requests } = fakeClient([{ status: 500, headers: fast }, {}], {
      organization: "org_1",
      project: "proj_1",
      headers: { "x-client": "a" },
    });
    await client.cancelUpload("upload_1", { headers: { "x-call": "b" } });
    const [first, second] = requests.map((r) => r.request.headers);
    expect(first?.get("authorization")).toBe(`Bearer ${TEST_API_KEY}`);
    expect(first?.get("user-agent")).toBe(`openai-uploads/${VERSION}`);
    expect(first?.get("openai-organization")).toBe("org_1");
    expect(first?.get("openai-project")).toBe("proj_1");
    expect([first?.get("x-client"), first?.get("x-call")]).toEqual(["a", "b"]);
    expect([first?.get("x-retry-count"), second?.get("x-retry-count")]).toEqual(["0", "1"]);
  });
});

describe("addUploadPart on the wire", () => {
  it.each([
    ["a Blob", (bytes: Uint8Array<ArrayBuffer>) => new Blob([bytes])],
    ["a File", (bytes: Uint8Array<ArrayBuffer>) => new File([bytes], "part.bin")],
  ])("sends %s as the multipart file field `data`, and every retry re-sends all of it", async (_, wrap) => {
    const bytes = new Uint8Array(randomBytes(1024 * 1024));
    const { client, requests } = fakeClient([
      { status: 503, headers: fast },
      { status: 429, headers: fast },
      { body: { id: "part_1", object: "upload.part", created_at: 1, upload_id: "upload_1" } },
    ]);
    const part = await client.addUploadPart("upload_1", { data: wrap(bytes) });
    expect(part.id).toBe("part_1");
    expect(requests).toHaveLength(3);
    const digest = (b: ArrayBuffer | Uint8Array) => createHash("sha256").update(new Uint8Array(b)).digest("hex");
    for (const { request, body } of requests) {
      expect(request.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
      const form = await new Request(request.url, { method: "POST", body, headers: request.headers }).formData();
      const data = form.get("data");
      expect(data).toBeInstanceOf(Blob);
      expect(digest(await (data as Blob).arrayBuffer())).toBe(digest(bytes));
    }
  });
});

describe("retries", () => {
  it.each([408, 409, 429, 500, 502, 503])("retries %i", async (status) => {
    const { client, requests } = fakeClient([{ status, headers: fast, body: errorBody("x") }, {}]);
    await client.cancelUpload("upload_1");
    expect(requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 422])("does not retry %i", async (status) => {
    const { client, requests } = fakeClient([{ status, body: errorBody("no") }, {}]);
    await expect(client.cancelUpload("upload_1")).rejects.toMatchObject({ status });
    expect(requests).toHaveLength(1);
  });

  it("lets x-should-retry decide", async () => {
    const forced = fakeClient([{ status: 400, headers: { ...fast, "x-should-retry": "true" } }, {}]);
    await forced.client.cancelUpload("upload_1");
    expect(forced.requests).toHaveLength(2);
    const refused = fakeClient([{ status: 500, headers: { "x-should-retry": "false" }, body: errorBody("no") }]);
    await expect(refused.client.cancelUpload("upload_1")).rejects.toThrow(InternalServerError);
    expect(refused.requests).toHaveLength(1);
  });

  it("retries connection errors, and gives up after maxRetries with the typed error", async () => {
    vi.useFakeTimers();
    try {
      const { client, requests } = fakeClient([new TypeError("fetch failed")], { maxRetries: 3 });
      const result = rejection(client.cancelUpload("upload_1"), APIConnectionError);
      await vi.runAllTimersAsync();
      await result;
      expect(requests).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it("honours maxRetries per call over the client's", async () => {
    const { client, requests } = fakeClient([{ status: 500, headers: fast, body: errorBody("x") }], { maxRetries: 5 });
    await expect(client.cancelUpload("upload_1", { maxRetries: 1 })).rejects.toThrow(InternalServerError);
    expect(requests).toHaveLength(2);
  });

  it("waits as retry-after says, else 0.5 s x 2^n (n = retries so far) less up to 25 %", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0);
    try {
      const { client, requests } = fakeClient(
        [{ status: 429, headers: { "retry-after": "2" } }, { status: 503 }, { status: 503 }, {}],
        { maxRetries: 3 },
      );
      const done = client.cancelUpload("upload_1");
      await vi.advanceTimersByTimeAsync(1999);
      expect(requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(requests).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(999); // retry 1: 1 s (jitter pinned to none)
      expect(requests).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(requests).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(1999); // retry 2: 2 s
      expect(requests).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(requests).toHaveLength(4);
      await done;
    } finally {
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });
});

describe("timeouts and abort", () => {
  const hanging = (signal: AbortSignal | null) =>
    new Promise<Response>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));

  it("times out each attempt, retries, then throws APIConnectionTimeoutError", async () => {
    let calls = 0;
    const { client } = fakeClient([], {
      timeoutMs: 20,
      maxRetries: 1,
      fetch: (request) => {
        calls++;
        return hanging(request.signal);
      },
    });
    await expect(client.cancelUpload("upload_1")).rejects.toThrow(APIConnectionTimeoutError);
    expect(calls).toBe(2);
  });

  it("the caller's signal aborts a request in flight, and a wait between retries, with no further request", async () => {
    let calls = 0;
    const controller = new AbortController();
    const { client } = fakeClient([], {
      fetch: (request) => {
        calls++;
        setTimeout(() => controller.abort(), 5);
        return hanging(request.signal);
      },
    });
    await expect(client.cancelUpload("upload_1", { signal: controller.signal })).rejects.toThrow(APIUserAbortError);

    const waiting = new AbortController();
    const { client: retrying, requests } = fakeClient([{ status: 429, headers: { "retry-after": "30" } }]);
    const pending = retrying.cancelUpload("upload_1", { signal: waiting.signal });
    setTimeout(() => waiting.abort(), 20);
    await expect(pending).rejects.toThrow(APIUserAbortError);
    expect([calls, requests.length]).toEqual([1, 1]);
  });

  it("an abort with no retries left is the caller's, not a connection error", async () => {
    const controller = new AbortController();
    const { client } = fakeClient([], {
      maxRetries: 0,
      fetch: (request) => {
        setTimeout(() => controller.abort(), 5);
        return hanging(request.signal);
      },
    });
    await rejection(client.cancelUpload("upload_1", { signal: controller.signal }), APIUserAbortError);
  });

  it("a connection failure keeps what fetch threw as its cause, and names the reason beneath it", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const thrown = new TypeError("fetch failed", { cause: refused });
    const { client } = fakeClient([thrown], { maxRetries: 0 });
    const error = await rejection(client.cancelUpload("upload_1"), APIConnectionError);
    expect(error.cause).toBe(thrown);
    expect(error.message).toBe("Connection error: fetch failed (ECONNREFUSED)");
    const bare = await rejection(
      fakeClient([new TypeError("network down")], { maxRetries: 0 }).client.cancelUpload("u"),
      APIConnectionError,
    );
    expect(bare.message).toBe("Connection error: network down");
  });

  it("a connection failure with nothing to say is still one line", async () => {
    const { client } = fakeClient([], { maxRetries: 0, fetch: () => Promise.reject(null) });
    const error = await rejection(client.cancelUpload("upload_1"), APIConnectionError);
    expect(error.message).toBe("Connection error: null");
  });

  it("an already aborted signal sends nothing", async () => {
    const { client, requests } = fakeClient([{}]);
    await rejection(client.cancelUpload("upload_1", { signal: AbortSignal.abort() }), APIUserAbortError);
    expect(requests).toHaveLength(0);
  });

  it("leaves no timer behind once an attempt is over, answered or failed", async () => {
    vi.useFakeTimers();
    try {
      const { client } = fakeClient([{ status: 400, body: errorBody("no") }, {}], { maxRetries: 0 });
      await expect(client.cancelUpload("upload_1")).rejects.toThrow(BadRequestError);
      await client.cancelUpload("upload_1");
      const failing = fakeClient([new TypeError("down")], { maxRetries: 0 }).client;
      await expect(failing.cancelUpload("upload_1")).rejects.toThrow(APIConnectionError);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("an error's history", () => {
  const refused = { status: 400, body: errorBody("Upload is already completed") };
  it.each([
    ["a first answer", [], false],
    ["a 500", [500], true],
    ["a 503", [503], true],
    ["a 408", [408], true],
    ["a 429", [429], false],
    ["a 409", [409], false],
  ])("after %s, says whether an earlier attempt may have taken effect", async (_, before, mayHave) => {
    const answers = [
      ...before.map((status) => ({ status, headers: { "retry-after-ms": "1" }, body: errorBody("x") })),
      refused,
    ];
    const { client } = fakeClient(answers, { maxRetries: 2 });
    const error = await rejection(client.completeUpload("upload_1", { part_ids: ["part_1"] }), BadRequestError);
    expect(error).toMatchObject({ attempts: before.length + 1, mayHaveTakenEffect: mayHave });
  });
});

describe("results", () => {
  it("carry the response's x-request-id as _request_id, kept out of JSON and spreads", async () => {
    const { client } = fakeClient([{ headers: { "x-request-id": "req_7" } }, {}]);
    const upload = await client.cancelUpload("upload_1");
    expect(upload._request_id).toBe("req_7");
    expect(Object.keys(upload)).not.toContain("_request_id");
    expect(JSON.parse(JSON.stringify(upload))).toEqual(UPLOAD);
    const withoutId = await client.cancelUpload("upload_1");
    expect(withoutId._request_id).toBeUndefined();
  });
});

describe("errors", () => {
  it("carry status, request id, the parsed body and headers; the message has the id", async () => {
    const { client } = fakeClient([
      { status: 429, headers: { "x-request-id": "req_42", "x-should-retry": "false" }, body: errorBody("Slow down") },
    ]);
    const error = await rejection(client.cancelUpload("upload_1"), RateLimitError);
    expect(error).toMatchObject({ status: 429, requestId: "req_42", error: { message: "Slow down" } });
    expect(error.headers.get("x-request-id")).toBe("req_42");
    expect(error.message).toBe("429 Slow down [request id req_42]");
  });

  it.each([
    ["OpenAI's shape", errorBody("Upload expired"), "Upload expired"],
    [
      "a problem document with Prism's violations",
      {
        type: "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
        title: "Invalid request",
        validation: [
          { location: ["request", "body"], severity: "Error", message: "must have required property 'bytes'" },
        ],
      },
      "Invalid request; request.body must have required property 'bytes'",
    ],
    ["a gateway's text", "upstream connect error", "upstream connect error"],
    ["an unknown JSON shape", { reason: "quota" }, '{"reason":"quota"}'],
    ["no body", "", "(empty body)"],
  ])("name the problem from %s, and keep the whole body", async (_, body, message) => {
    const { client } = fakeClient([{ status: 503, headers: { "x-should-retry": "false" }, body }]);
    const error = await rejection(client.cancelUpload("upload_1"), APIError);
    expect(error).toMatchObject({ message: `503 ${message}`, body });
  });

  it("a body the types forbid is not checked locally: the server's 400 comes back typed", async () => {
    const { client, requests } = fakeClient([{ status: 400, body: errorBody("Invalid purpose") }]);
    const body = { filename: "a", purpose: "training", bytes: 1, mime_type: "text/plain", extra: 1 };
    await expect(client.createUpload(body as never)).rejects.toThrow(BadRequestError);
    expect(JSON.parse(new TextDecoder().decode(requests[0]?.body))).toEqual(body);
  });
});

describe("headers from several layers", () => {
  it("let the later layer win whatever the case of its names; a client header cannot replace the key", async () => {
    const { client, requests } = fakeClient([{}], {
      headers: { authorization: "Bearer someone-else", "user-agent": "my-app/1.0", "x-unset": undefined as never },
    });
    await client.cancelUpload("upload_1", { headers: { "X-Retry-Count": "9", "user-agent": "my-call/2.0" } });
    const headers = requests[0]?.request.headers;
    expect(headers?.get("authorization")).toBe(`Bearer ${TEST_API_KEY}`);
    expect(headers?.get("user-agent")).toBe("my-call/2.0");
    expect(headers?.get("x-retry-count")).toBe("0");
    expect(headers?.has("x-unset")).toBe(false);
  });
});

describe("bodies the runtime reads", () => {
  /** A fetch that answers every request with an endless `status` body; `calls` counts the requests. */
  const countingFetch = (status: number, headers: Record<string, string> = {}) => {
    const counter = {
      calls: 0,
      fetch: async () => {
        counter.calls++;
        return new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(new Uint8Array(256 * 1024).fill(0x61));
            },
          }),
          { status, headers: { "retry-after-ms": "1", ...headers } },
        );
      },
    };
    return counter;
  };

  it("cuts an error body at MAX_RESPONSE_BYTES and still retries by its status", async () => {
    const counter = countingFetch(503);
    const { client } = fakeClient([], { fetch: counter.fetch, maxRetries: 1 });
    const error = await rejection(client.cancelUpload("upload_1"), InternalServerError);
    expect(counter.calls).toBe(2);
    expect(String(error.body).length).toBe(MAX_RESPONSE_BYTES);
  });

  it("refuses a 2xx body that goes on past MAX_RESPONSE_BYTES, without a retry", async () => {
    const counter = countingFetch(200, { "x-request-id": "req_endless" });
    const { client } = fakeClient([], { fetch: counter.fetch, maxRetries: 2 });
    const error = await rejection(client.cancelUpload("upload_1"), UnexpectedResponseError);
    expect(counter.calls).toBe(1);
    expect(error).toMatchObject({
      operationId: "cancelUpload",
      status: 200,
      requestId: "req_endless",
      pointer: "",
      body: undefined,
    });
  });

  it("accepts null where the Files API sends it for a completed upload's file", async () => {
    const completed = {
      ...UPLOAD,
      status: "completed",
      file: {
        id: "file_1",
        object: "file",
        bytes: 10,
        created_at: 1,
        filename: "a.jsonl",
        purpose: "batch",
        status: "processed",
        status_details: null,
        expires_at: null,
      },
    };
    const { client } = fakeClient([{ body: completed }]);
    await expect(client.completeUpload("upload_1", { part_ids: ["part_1"] })).resolves.toMatchObject({
      file: { status_details: null },
    });
  });

  it("refuses a body that is not an object before any request, not as a network failure", async () => {
    const { client, requests } = fakeClient([{}]);
    const error = await rejection(client.addUploadPart("upload_1", null as never), InvalidArgumentError);
    expect(error.option).toBe("body");
    expect(error.message).toMatch(/addUploadPart: the body must be an object, not null/);
    expect(requests).toHaveLength(0);
  });

  it.each([
    ["a body that cannot be serialized", () => ({ bytes: 10n }), {}, "body", /the body cannot be serialized/],
    ["a header with a line break", () => ({}), { headers: { "x-note": "a\nb" } }, "headers", /a header cannot be sent/],
  ] as const)("refuses %s before any request, without a retry", async (_, body, options, option, message) => {
    const { client, requests } = fakeClient([{}], { maxRetries: 2 });
    const { ...create } = { filename: "a.jsonl", purpose: "batch", bytes: 1, mime_type: "text/jsonl", ...body() };
    const error = await rejection(client.createUpload(create as never, options), InvalidArgumentError);
    expect(error).toMatchObject({ option });
    expect(error.message).toMatch(message);
    expect(requests).toHaveLength(0);
  });
});
