import { createHash } from "node:crypto";
import { access, readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UPLOAD_TTL_SECONDS } from "../../src/limits.js";
import { type LocalServer, startLocalServer, type Upload } from "../../src/testing.js";
import { sha256 } from "../support/hashes.js";
import { api, type Bytes, bytesOf, expectError, ok } from "./helpers.js";

let clock = Date.UTC(2026, 0, 1);
let server: LocalServer;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  server = await startLocalServer({ now: () => clock, maxPartBytes: 64 * 1024 });
  client = api(server.url);
});
afterAll(() => server.close());

const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("hex");

/** An upload of `chunks` with every part stored; returns the ids in file order. */
async function uploadWithParts(chunks: Bytes[]): Promise<{ upload: Upload; partIds: string[] }> {
  const upload = await client.createOk({ bytes: chunks.reduce((sum, c) => sum + c.length, 0) });
  const partIds = [];
  for (const chunk of chunks) partIds.push(await client.addPartOk(upload.id, chunk));
  return { upload, partIds };
}

describe("completeUpload", () => {
  it("joins parts sent out of order in part_ids order, byte for byte", async () => {
    const whole = bytesOf(150_000, 7);
    const [first, second, third] = [
      whole.subarray(0, 60_000),
      whole.subarray(60_000, 120_000),
      whole.subarray(120_000),
    ];
    const upload = await client.createOk({
      bytes: whole.length,
      purpose: "fine-tune",
      expires_after: { anchor: "created_at", seconds: 7200 },
    });
    // Sent last part first, all at once: the order is fixed only by part_ids.
    const [thirdId, firstId, secondId] = await Promise.all(
      [third, first, second].map((chunk) => client.addPartOk(upload.id, chunk)),
    );
    const stray = await client.addPartOk(upload.id, "not part of the file");
    expect(server.getUpload(upload.id)?.parts.map((part) => part.id)).toContain(stray);

    const completed = await ok<Upload>(
      await client.complete(upload.id, { part_ids: [firstId, secondId, thirdId], md5: md5(whole).toUpperCase() }),
    );
    const createdAt = Math.floor(clock / 1000);
    expect(completed).toEqual({
      ...upload,
      status: "completed",
      file: {
        id: expect.stringMatching(/^file-[0-9a-f]{24}$/),
        object: "file",
        bytes: whole.length,
        created_at: createdAt,
        filename: upload.filename,
        purpose: "fine-tune",
        status: "processed",
        expires_at: createdAt + 7200,
      },
    });
    const path = server.fileContentPath(completed.file?.id ?? "");
    expect(path).toBeDefined();
    expect(sha256(await readFile(path ?? ""))).toBe(sha256(whole));
    // The unlisted part is gone with the others.
    expect(server.getUpload(upload.id)).toEqual({ upload: completed, parts: [] });
  });

  it("omits the file's expires_at when the upload had no expires_after", async () => {
    const { upload, partIds } = await uploadWithParts([bytesOf(10)]);
    const completed = await ok<Upload>(await client.complete(upload.id, { part_ids: partIds }));
    expect(completed.file).not.toHaveProperty("expires_at");
  });

  it("rejects an md5 that does not match, and leaves the upload pending", async () => {
    const data = bytesOf(100);
    const { upload, partIds } = await uploadWithParts([data]);
    await expectError(await client.complete(upload.id, { part_ids: partIds, md5: md5(bytesOf(100, 2)) }), 400, {
      param: "md5",
      message: new RegExp(`does not match the MD5 of the joined parts \\(${md5(data)}\\)`),
    });
    expect(server.getUpload(upload.id)?.upload.status).toBe("pending");
    await ok(await client.complete(upload.id, { part_ids: partIds, md5: md5(data) }));
  });

  it("rejects parts that do not add up to the upload's bytes, saying both numbers", async () => {
    const upload = await client.createOk({ bytes: 10 });
    const partId = await client.addPartOk(upload.id, "12345");
    await expectError(await client.complete(upload.id, { part_ids: [partId] }), 400, {
      param: "part_ids",
      message: /add up to 5 bytes, but upload \S+ was created with bytes=10/,
    });
  });

  it("rejects a part of another upload, naming it", async () => {
    const other = await uploadWithParts([bytesOf(5)]);
    const { upload, partIds } = await uploadWithParts([bytesOf(5)]);
    const foreign = other.partIds[0] ?? "";
    await expectError(await client.complete(upload.id, { part_ids: [foreign] }), 400, {
      param: "part_ids",
      message: new RegExp(`part_ids\\[0\\] is '${foreign}', which is not a part of upload ${upload.id}`),
    });
    await ok(await client.complete(upload.id, { part_ids: partIds }));
  });

  it("rejects a part listed twice", async () => {
    const upload = await client.createOk({ bytes: 10 });
    const partId = await client.addPartOk(upload.id, "12345");
    await expectError(await client.complete(upload.id, { part_ids: [partId, partId] }), 400, {
      message: new RegExp(`Part '${partId}' is listed twice in part_ids \\(at 0 and 1\\)`),
    });
  });

  it.each([
    ["no part_ids", {}, "part_ids", /Missing required parameter: 'part_ids'/],
    ["part_ids not an array", { part_ids: "part_1" }, "part_ids", /expected an array, but got a string/],
    ["a non-string part id", { part_ids: ["part_1", 2] }, "part_ids[1]", /expected a string, but got a number/],
    ["a numeric md5", { part_ids: [], md5: 5 }, "md5", /expected a string/],
    ["an extra property", { part_ids: [], order: "asc" }, "order", /Unrecognized request argument supplied/],
  ])("rejects a body with %s", async (_, body, param, message) => {
    const upload = await client.createOk();
    await expectError(await client.complete(upload.id, body), 400, { param, message });
  });

  it("answers 404 for an unknown upload before looking at the body", async () => {
    await expectError(await client.complete("upload_nope", "not json"), 404, { param: "upload_id" });
  });

  it("cannot complete twice or cancel a completed upload", async () => {
    const { upload, partIds } = await uploadWithParts([bytesOf(3)]);
    await ok(await client.complete(upload.id, { part_ids: partIds }));
    await expectError(await client.complete(upload.id, { part_ids: partIds }), 400, { message: /already completed/ });
    await expectError(await client.cancel(upload.id), 400, { message: /already completed, so you cannot cancel it/ });
  });
});

describe("expiry", () => {
  it("expires a pending upload once expires_at passes on the injected clock", async () => {
    const { upload, partIds } = await uploadWithParts([bytesOf(4)]);
    clock += (UPLOAD_TTL_SECONDS - 1) * 1000;
    await client.addPartOk(upload.id, "in");
    clock += 1000;
    const at = new Date(upload.expires_at * 1000).toISOString();
    const expired = new RegExp(
      `expired at ${at} \\(expires_at ${upload.expires_at}\\), so you cannot (add parts to|complete|cancel) it.*create a new upload`,
    );
    await expectError(await client.addPart(upload.id, "late"), 400, { message: expired });
    await expectError(await client.complete(upload.id, { part_ids: partIds }), 400, { message: expired });
    await expectError(await client.cancel(upload.id), 400, { message: expired });
    expect(server.getUpload(upload.id)).toEqual({ upload: { ...upload, status: "expired" }, parts: [] });
  });

  it("does not expire a completed upload", async () => {
    const { upload, partIds } = await uploadWithParts([bytesOf(4)]);
    await ok(await client.complete(upload.id, { part_ids: partIds }));
    clock += 2 * UPLOAD_TTL_SECONDS * 1000;
    expect(server.getUpload(upload.id)?.upload.status).toBe("completed");
  });
});

describe("close", () => {
  it("removes the temporary data directory it created", async () => {
    const temporary = await startLocalServer();
    const c = api(temporary.url);
    const upload = await c.createOk({ bytes: 2 });
    const completed = await ok<Upload>(await c.complete(upload.id, { part_ids: [await c.addPartOk(upload.id, "hi")] }));
    const path = temporary.fileContentPath(completed.file?.id ?? "") ?? "";
    await access(path);
    await temporary.close();
    await expect(access(path)).rejects.toThrow(/ENOENT/);
    await temporary.close();
  });
});
