import { mkdtemp, readdir, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LocalServer, startLocalServer, type UploadPart } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { api, bytesOf, expectError, ok } from "./helpers.js";

const MAX_PART = 1024;
const dataDir = await tempDir("parts-test-");
let server: LocalServer;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  server = await startLocalServer({ dataDir, maxPartBytes: MAX_PART });
  client = api(server.url);
});
// Registered after tempDir's afterAll, so it runs first (vitest runs after-hooks in reverse): the server closes before its data dir goes.
afterAll(() => server.close());

const storedPartFiles = () => readdir(join(dataDir, "parts"));

describe("addUploadPart", () => {
  it("stores a part and returns an UploadPart", async () => {
    const upload = await client.createOk({ bytes: MAX_PART });
    const part = await ok<UploadPart>(await client.addPart(upload.id, bytesOf(MAX_PART)));
    expect(part).toEqual({
      id: expect.stringMatching(/^part_[0-9a-f]{24}$/),
      object: "upload.part",
      created_at: expect.any(Number),
      upload_id: upload.id,
    });
    expect(server.getUpload(upload.id)?.parts).toEqual([{ id: part.id, bytes: MAX_PART }]);
    expect(await storedPartFiles()).toContain(part.id);
  });

  it("rejects a part over maxPartBytes with 413 and keeps none of it", async () => {
    const upload = await client.createOk({ bytes: 10 * MAX_PART });
    const before = await storedPartFiles();
    await expectError(await client.addPart(upload.id, bytesOf(MAX_PART + 1)), 413, {
      param: "data",
      message: /larger than the limit of 1024 bytes/,
    });
    expect(server.getUpload(upload.id)?.parts).toEqual([]);
    expect(await storedPartFiles()).toEqual(before);
  });

  it("requires the data field", async () => {
    const upload = await client.createOk();
    await expectError(await client.postForm(upload.id, new FormData()), 400, {
      param: "data",
      message: /Missing required parameter: 'data'/,
    });
  });

  it("rejects any other field, even next to data", async () => {
    const upload = await client.createOk();
    const form = new FormData();
    form.append("data", new Blob(["hello"]), "blob");
    form.append("purpose", "batch");
    await expectError(await client.postForm(upload.id, form), 400, {
      param: "purpose",
      message: /Unrecognized request argument supplied: 'purpose'/,
    });
    expect(server.getUpload(upload.id)?.parts).toEqual([]);
  });

  it("rejects data sent as a plain text field, since its bytes would not survive as text", async () => {
    const upload = await client.createOk();
    const form = new FormData();
    form.append("data", "hello");
    await expectError(await client.postForm(upload.id, form), 400, { message: /send it as a file/ });
  });

  it("rejects a body that is not multipart/form-data", async () => {
    const upload = await client.createOk();
    await expectError(await client.postJson(`/uploads/${upload.id}/parts`, { data: "hello" }), 400, {
      message: /multipart\/form-data.*the Content-Type was 'application\/json'/,
    });
  });

  it.each([
    ["truncated", '--xyz\r\nContent-Disposition: form-data; name="data"; filename="a"\r\n\r\nhello'],
    // Found while the body is still arriving: the answer must still go out on the connection.
    ["a part without headers", `--xyz\r\n\r\n${"a".repeat(64 * 1024)}\r\n--xyz--\r\n`],
    ["a header line without a colon", "--xyz\r\nnot a header\r\n\r\nabc\r\n--xyz--\r\n"],
  ])("rejects a multipart body that is %s with 400, and keeps serving", async (_, body) => {
    const upload = await client.createOk({ bytes: 100 });
    const res = await fetch(`${server.url}/uploads/${upload.id}/parts`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "multipart/form-data; boundary=xyz" },
      body,
    });
    await expectError(res, 400, { message: /multipart body is malformed/ });
    expect(server.getUpload(upload.id)?.parts).toEqual([]);
    await client.addPartOk(upload.id, "still serving");
  });

  it("keeps no part, and can still close, when the client goes away mid-part", async () => {
    const dir = await mkdtemp(join(tmpdir(), "parts-abort-"));
    const local = await startLocalServer({ apiKey: TEST_API_KEY, dataDir: dir });
    try {
      const upload = await api(local.url).createOk();
      const req = request({
        port: new URL(local.url).port,
        host: "127.0.0.1",
        method: "POST",
        path: `/v1/uploads/${upload.id}/parts`,
        headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "multipart/form-data; boundary=xyz" },
      });
      req.on("error", () => {});
      req.write(`--xyz\r\nContent-Disposition: form-data; name="data"; filename="a"\r\n\r\n${"a".repeat(5000)}`);
      // The part file is being written once the bytes reach it.
      await vi.waitFor(async () => expect(await readdir(join(dir, "parts"))).toHaveLength(1));
      req.destroy();
      await local.close(); // hung here while the handler waited on a part stream nobody ended
      expect(await readdir(join(dir, "parts"))).toEqual([]);
    } finally {
      await local.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("answers 404 for an unknown upload", async () => {
    await expectError(await client.addPart("upload_doesnotexist", "x"), 404, {
      param: "upload_id",
      message: /No such upload: 'upload_doesnotexist'/,
    });
  });

  it("refuses parts once the upload is cancelled, and removes the parts it had", async () => {
    const upload = await client.createOk();
    const partId = await client.addPartOk(upload.id, "hello");
    const cancelled = await ok<{ status: string }>(await client.cancel(upload.id));
    expect(cancelled.status).toBe("cancelled");
    await expectError(await client.addPart(upload.id, "world"), 400, {
      message: new RegExp(`Upload ${upload.id} is already cancelled, so you cannot add parts to it`),
    });
    expect(server.getUpload(upload.id)?.parts).toEqual([]);
    await expect.poll(storedPartFiles).not.toContain(partId);
  });

  it("refuses parts once the upload is completed", async () => {
    const upload = await client.createOk({ bytes: 5 });
    const partId = await client.addPartOk(upload.id, "hello");
    await ok(await client.complete(upload.id, { part_ids: [partId] }));
    await expectError(await client.addPart(upload.id, "world"), 400, { message: /is already completed/ });
  });

  it("counts requests by operation and the part bytes it stored", async () => {
    const counting = await startLocalServer({ maxPartBytes: MAX_PART });
    try {
      const c = api(counting.url);
      const upload = await c.createOk({ bytes: 7 });
      await c.addPartOk(upload.id, "abc");
      await c.addPartOk(upload.id, "defg");
      await c.addPart(upload.id, bytesOf(MAX_PART + 1));
      await c.cancel(upload.id);
      expect(counting.stats).toEqual({
        requests: 5,
        byOperation: { createUpload: 1, addUploadPart: 3, completeUpload: 0, cancelUpload: 1 },
        partBytes: 7,
        faults: 0,
      });
    } finally {
      await counting.close();
    }
  });
});
