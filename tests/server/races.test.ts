import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_PART_BYTES } from "../../src/limits.js";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { api, bytesOf, expectError, ok, partInFlight } from "./helpers.js";

let clock = Date.UTC(2026, 0, 1);
let server: LocalServer;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  // No maxPartBytes: the API's own limit applies.
  server = await startLocalServer({ now: () => clock });
  client = api(server.url);
});
afterAll(() => server.close());

const partFiles = () => readdir(join(server.dataDir, "parts"));

describe("requests that race", () => {
  it("accepts one of two completes sent at once, and refuses the other", async () => {
    const upload = await client.createOk({ bytes: 5 });
    const partId = await client.addPartOk(upload.id, "hello");
    const answers = await Promise.all([0, 1].map(() => client.complete(upload.id, { part_ids: [partId] })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    // One file came of it, whichever complete won.
    const completed = server.getUpload(upload.id)?.upload;
    expect(completed?.status).toBe("completed");
    expect(server.listUploads().filter((s) => s.upload.file?.id === completed?.file?.id)).toHaveLength(1);
  });

  it("keeps no part that finishes arriving after its upload was cancelled", async () => {
    const upload = await client.createOk({ bytes: 10_000 });
    const part = partInFlight(server.url, upload.id, "a".repeat(5000));
    await vi.waitFor(async () => expect(await partFiles()).toHaveLength(1));
    await ok(await client.cancel(upload.id));
    const answer = await part.finish();
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/already cancelled/);
    expect(server.getUpload(upload.id)?.parts).toEqual([]);
    await expect.poll(partFiles).toEqual([]);
  });

  it("keeps no part that finishes arriving after its upload expired", async () => {
    const upload = await client.createOk({ bytes: 10_000 });
    const part = partInFlight(server.url, upload.id, "a".repeat(5000));
    await vi.waitFor(async () => expect(await partFiles()).toHaveLength(1));
    clock = (upload.expires_at + 1) * 1000;
    const answer = await part.finish();
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/expired/);
    expect(server.getUpload(upload.id)?.upload.status).toBe("expired");
    await expect.poll(partFiles).toEqual([]);
  });
});

describe("the default part limit", () => {
  it("is the API's 64 MiB: a part of exactly that is stored, one byte more is refused", async () => {
    const upload = await client.createOk({ bytes: 2 * MAX_PART_BYTES });
    const whole = bytesOf(MAX_PART_BYTES + 1);
    await expectError(await client.addPart(upload.id, whole), 413, { message: /64 MiB|67108864/ });
    const partId = await client.addPartOk(upload.id, whole.subarray(0, MAX_PART_BYTES));
    expect(server.getUpload(upload.id)?.parts.map((p) => [p.id, p.bytes])).toEqual([[partId, MAX_PART_BYTES]]);
  });
});
