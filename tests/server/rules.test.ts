import { mkdir, mkdtemp, readdir, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_UPLOAD_BYTES } from "../../src/limits.js";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { tempDir } from "../support/temp.js";
import { api, expectError, ok, partInFlight, uploadRequest } from "./helpers.js";

let lenient: LocalServer;
let strict: LocalServer;
const root = await tempDir("rules-test-");
const strictDir = await mkdtemp(join(root, "strict-"));

beforeAll(async () => {
  [lenient, strict] = await Promise.all([
    startLocalServer(),
    startLocalServer({ dataDir: strictDir, partsWithinBytes: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([lenient.close(), strict.close()]);
});

describe("createUpload", () => {
  it.each([
    ["empty", "", /'filename': "" is empty/],
    ["only whitespace", "  ", /'filename': " {2}" is only whitespace/],
  ])("refuses a filename that is %s with 400", async (_, filename, message) => {
    await expectError(await api(lenient.url).create(uploadRequest({ filename })), 400, { param: "filename", message });
    expect(lenient.listUploads().map((s) => s.upload.filename)).not.toContain(filename);
  });
});

describe("addUploadPart", () => {
  it("refuses an empty part with 400 and keeps nothing", async () => {
    const client = api(lenient.url);
    const upload = await client.createOk({ bytes: 10 });
    await expectError(await client.addPart(upload.id, ""), 400, { param: "data", message: /The part is empty/ });
    expect(lenient.getUpload(upload.id)?.parts).toEqual([]);
  });

  it("refuses a part larger than the whole upload, naming its bytes, and stores none of it", async () => {
    const client = api(lenient.url);
    const upload = await client.createOk({ bytes: 10 });
    await expectError(await client.addPart(upload.id, "x".repeat(11)), 400, {
      param: "data",
      message: /larger than upload \S+, which was created with bytes=10.*at most 10 bytes/,
    });
    expect(lenient.getUpload(upload.id)?.parts).toEqual([]);
    await client.addPartOk(upload.id, "x".repeat(10));
  });

  it("lets parts add up to more than bytes by default: a part sent again after a lost answer leaves its first copy", async () => {
    const client = api(lenient.url);
    const upload = await client.createOk({ bytes: 10 });
    await client.addPartOk(upload.id, "123456");
    await client.addPartOk(upload.id, "123456");
    expect(lenient.getUpload(upload.id)?.parts).toHaveLength(2);
  });

  describe("with partsWithinBytes", () => {
    it("refuses a part that would take the parts past the upload's bytes, naming the bytes left", async () => {
      const client = api(strict.url);
      const upload = await client.createOk({ bytes: 10 });
      await expectError(await client.addPart(upload.id, "x".repeat(11)), 400, {
        message: /only 10 of the 10 bytes it was created with are left/,
      });
      await client.addPartOk(upload.id, "123456");
      await expectError(await client.addPart(upload.id, "12345"), 400, {
        param: "data",
        message:
          /only 4 of the 10 bytes it was created with are left \(its stored parts hold 6 bytes\)\. Send at most 4 bytes/,
      });
      await client.addPartOk(upload.id, "7890");
      await expectError(await client.addPart(upload.id, "1"), 400, { message: /has no room for another part/ });
      expect(strict.getUpload(upload.id)?.parts.map((part) => part.bytes)).toEqual([6, 4]);
      // None of the refused parts was left on disk: the only files are the stored parts.
      const stored = strict.getUpload(upload.id)?.parts.map((part) => part.id) ?? [];
      expect((await readdir(join(strictDir, "parts"))).sort()).toEqual(stored.sort());
    });

    it("counts parts still arriving: of two parallel parts that do not both fit, the one that passes the bytes is refused", async () => {
      const client = api(strict.url);
      const upload = await client.createOk({ bytes: 100_000 });
      // Both parts start (each has the whole room when it starts), then their bytes arrive.
      const first = partInFlight(strict.url, upload.id, "a");
      const second = partInFlight(strict.url, upload.id, "b");
      await vi.waitFor(async () => expect(await readdir(join(strictDir, "parts"))).toHaveLength(2));
      first.write("a".repeat(59_999));
      const accepted = await first.finish();
      expect(accepted.status, accepted.body).toBe(200);
      second.write("b".repeat(59_999));
      const refused = await second.finish();
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body).error.message).toMatch(
        /only 40000 of the 100000 bytes it was created with are left/,
      );
      expect(strict.getUpload(upload.id)?.parts.map((part) => part.bytes)).toEqual([60_000]);
    });

    it("says how much of the room parts still arriving hold when it refuses a part", async () => {
      const client = api(strict.url);
      const upload = await client.createOk({ bytes: 100_000 });
      await client.addPartOk(upload.id, "s".repeat(10_000));
      const arriving = partInFlight(strict.url, upload.id, "a".repeat(60_000));
      await vi.waitFor(() => expect(strict.getUpload(upload.id)?.parts).toHaveLength(1));
      await vi.waitFor(async () => expect((await readdir(join(strictDir, "parts"))).length).toBeGreaterThan(1));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expectError(await client.addPart(upload.id, "b".repeat(40_000)), 400, {
        message:
          /only 30000 of the 100000 bytes it was created with are left \(its stored parts hold 10000 bytes and parts still arriving 60000 more\)\. Send at most 30000 bytes/,
      });
      const done = await arriving.finish();
      expect(done.status, done.body).toBe(200);
    });
  });

  it.each([
    [MAX_UPLOAD_BYTES, /only 5 of the 8589934592 bytes it was created with are left/],
    // The parts of a smaller upload may add up to more than its bytes here, but never past 8 GiB.
    [10, /only 5 of the 8589934592 bytes \(8 GiB\) an upload holds at most are left/],
  ])("refuses a part that would take an upload of %d bytes past 8 GiB", async (bytes, message) => {
    // An upload with all but 5 bytes of 8 GiB stored, as a journal and a sparse part file.
    const dataDir = await mkdtemp(join(root, "8gib-"));
    const uploadId = "upload_0123456789abcdef01234567";
    const partId = "part_0123456789abcdef01234567";
    const upload = {
      id: uploadId,
      object: "upload",
      bytes,
      created_at: Math.floor(Date.now() / 1000),
      filename: "big.jsonl",
      purpose: "batch",
      status: "pending",
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      file: null,
    };
    const request = { filename: "big.jsonl", purpose: "batch", bytes, mime_type: "text/jsonl" };
    await writeFile(
      join(dataDir, "journal.jsonl"),
      `${JSON.stringify({ type: "created", upload, request })}\n${JSON.stringify({ type: "part", upload_id: uploadId, part: { id: partId, bytes: MAX_UPLOAD_BYTES - 5 } })}\n`,
    );
    await mkdir(join(dataDir, "parts"));
    await writeFile(join(dataDir, "parts", partId), "");
    await truncate(join(dataDir, "parts", partId), MAX_UPLOAD_BYTES - 5);
    const server = await startLocalServer({ dataDir });
    try {
      const client = api(server.url);
      await expectError(await client.addPart(uploadId, "123456"), 400, { message });
      await ok(await client.addPart(uploadId, "12345"));
      await expectError(await client.addPart(uploadId, "1"), 400, { message: /has no room for another part/ });
    } finally {
      await server.close();
    }
  });
});
