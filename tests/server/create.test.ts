import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_UPLOAD_BYTES, UPLOAD_TTL_SECONDS } from "../../src/limits.js";
import { type LocalServer, startLocalServer, type Upload } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";
import { api, expectError, ok, uploadRequest } from "./helpers.js";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
let server: LocalServer;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  server = await startLocalServer({ now: () => NOW });
  client = api(server.url);
});
afterAll(() => server.close());

describe("createUpload", () => {
  it("returns a pending Upload with the clock's timestamps", async () => {
    const upload = await ok<Upload>(
      await client.create(uploadRequest({ bytes: 42, expires_after: { anchor: "created_at", seconds: 3600 } })),
    );
    const createdAt = Math.floor(NOW / 1000);
    expect(upload).toEqual({
      id: expect.stringMatching(/^upload_[0-9a-f]{24}$/),
      object: "upload",
      bytes: 42,
      created_at: createdAt,
      filename: "data.jsonl",
      purpose: "batch",
      status: "pending",
      expires_at: createdAt + UPLOAD_TTL_SECONDS,
      file: null,
    });
    expect(server.getUpload(upload.id)).toEqual({ upload, parts: [] });
  });

  it.each([0, MAX_UPLOAD_BYTES])("accepts bytes=%i, the ends of the allowed range", async (bytes) => {
    expect((await client.createOk({ bytes })).bytes).toBe(bytes);
  });

  it("serves the same API without the /v1 prefix", async () => {
    await ok(await api(server.url.replace(/\/v1$/, "")).create());
  });

  const bad: [string, unknown, string | null, RegExp][] = [
    ["an array", [], null, /must be a JSON object/],
    ["null", null, null, /must be a JSON object/],
    ["no filename", { purpose: "batch", bytes: 1, mime_type: "text/plain" }, "filename", /Missing required parameter/],
    [
      "a numeric filename",
      uploadRequest({ filename: 7 as never }),
      "filename",
      /expected a string, but got a number \(7\)\./,
    ],
    ["a filename of null", uploadRequest({ filename: null as never }), "filename", /expected a string, but got null\./],
    [
      "a filename list",
      uploadRequest({ filename: ["a"] as never }),
      "filename",
      /expected a string, but got an array\./,
    ],
    [
      "a boolean filename",
      uploadRequest({ filename: true as never }),
      "filename",
      /expected a string, but got a boolean\./,
    ],
    [
      "an object filename",
      uploadRequest({ filename: {} as never }),
      "filename",
      /expected a string, but got an object\./,
    ],
    ["an unknown purpose", uploadRequest({ purpose: "nope" as never }), "purpose", /Use one of: assistants, batch/],
    ["no purpose", { filename: "a", bytes: 1, mime_type: "text/plain" }, "purpose", /Missing required/],
    ["negative bytes", uploadRequest({ bytes: -1 }), "bytes", /out of range; send an integer of at least 0/],
    ["fractional bytes", uploadRequest({ bytes: 1.5 }), "bytes", /expected an integer/],
    [
      "bytes as a string",
      uploadRequest({ bytes: "10" as never }),
      "bytes",
      /expected an integer, but got a string \("10"\)\./,
    ],
    ["bytes over 8 GiB", uploadRequest({ bytes: MAX_UPLOAD_BYTES + 1 }), "bytes", /out of range/],
    ["no mime_type", { filename: "a", purpose: "batch", bytes: 1 }, "mime_type", /Missing required/],
    ["an extra property", { ...uploadRequest(), name: "x" }, "name", /Unrecognized request argument supplied: 'name'/],
    ["expires_after null", { ...uploadRequest(), expires_after: null }, "expires_after", /must be a JSON object/],
    [
      "expires_after too short",
      uploadRequest({ expires_after: { anchor: "created_at", seconds: 3599 } }),
      "expires_after.seconds",
      /from 3600 to 2592000/,
    ],
    [
      "expires_after too long",
      uploadRequest({ expires_after: { anchor: "created_at", seconds: 2_592_001 } }),
      "expires_after.seconds",
      /out of range/,
    ],
    [
      "another anchor",
      uploadRequest({ expires_after: { anchor: "now" as never, seconds: 3600 } }),
      "expires_after.anchor",
      /Use one of: created_at/,
    ],
    [
      "expires_after without seconds",
      { ...uploadRequest(), expires_after: { anchor: "created_at" } },
      "expires_after.seconds",
      /Missing required parameter: 'expires_after.seconds'/,
    ],
    [
      "an extra property in expires_after",
      { ...uploadRequest(), expires_after: { anchor: "created_at", seconds: 3600, days: 1 } },
      "expires_after.days",
      /'expires_after' accepts only anchor, seconds/,
    ],
  ];
  it.each(bad)("rejects %s with a 400 naming the parameter", async (_, body, param, message) => {
    await expectError(await client.create(body), 400, { param, message });
  });

  it.each([
    ["malformed JSON", '{"filename": ', /could not parse the JSON body/],
    ["an empty body", "", /body is empty/],
  ])("rejects %s with a 400", async (_, body, message) => {
    await expectError(await client.postJson("/uploads", body), 400, { message });
  });

  it("rejects a body that is not sent as JSON", async () => {
    const res = await fetch(`${server.url}/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "text/plain" },
      body: JSON.stringify(uploadRequest()),
    });
    await expectError(res, 400, {
      message: /Content-Type: application\/json', but the Content-Type was 'text\/plain'/,
    });
  });
});

describe("authentication", () => {
  it("requires a bearer token", async () => {
    const res = await fetch(`${server.url}/uploads`, { method: "POST", body: "{}" });
    await expectError(res, 401, { message: /You didn't provide an API key.*Authorization: Bearer/ });
  });

  it("rejects another scheme", async () => {
    const res = await fetch(`${server.url}/uploads`, {
      method: "POST",
      headers: { authorization: "Basic dXNlcjpwYXNz" },
    });
    await expectError(res, 401, { message: /not Bearer auth/ });
  });

  it("accepts only the configured key, and never echoes either key", async () => {
    const secret = "sk-the-real-key";
    const guarded = await startLocalServer({ apiKey: secret });
    try {
      const wrong = await api(guarded.url, "sk-a-wrong-key").create();
      const text = await wrong.clone().text();
      const error = await expectError(wrong, 401, { message: /Incorrect API key provided/ });
      expect(error.code).toBe("invalid_api_key");
      expect(text).not.toContain("sk-a-wrong-key");
      expect(text).not.toContain(secret);
      await ok(await api(guarded.url, secret).create());
    } finally {
      await guarded.close();
    }
  });
});

describe("routing", () => {
  it("answers an unknown path with 404", async () => {
    const res = await fetch(`${server.url}/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    await expectError(res, 404, { message: /Invalid URL \(POST \/v1\/files\)/ });
  });

  it("answers another method with 405 and Allow: POST", async () => {
    const res = await fetch(`${server.url}/uploads`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    expect(res.headers.get("allow")).toBe("POST");
    await expectError(res, 405, { message: /Method GET is not allowed.*use POST/ });
  });

  it("gives every response its own x-request-id", async () => {
    const responses = await Promise.all([
      client.create(),
      client.create({}),
      client.cancel("upload_missing"),
      fetch(`${server.url}/nowhere`),
      fetch(`${server.url}/uploads`, { method: "POST" }),
    ]);
    const ids = responses.map((res) => res.headers.get("x-request-id"));
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
