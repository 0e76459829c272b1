import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPrism, startPrism } from "../../scripts/lib/prism.js";
import { type LocalServer, startLocalServer, type Upload, type UploadPart } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";
import { api, uploadRequest } from "./helpers.js";

let server: LocalServer;
let faulty: LocalServer;
let prism: RunningPrism;
let faultyPrism: RunningPrism;

/** What beforeAll started, stopped by afterAll in reverse order even when start-up failed halfway. */
const stops: (() => Promise<void>)[] = [];

/** Starts two things at once; whichever comes up is registered for afterAll, even if the other fails. */
async function startPair<T>(starting: [Promise<T>, Promise<T>], stop: (started: T) => Promise<void>): Promise<[T, T]> {
  const [first, second] = await Promise.allSettled(starting);
  for (const result of [first, second]) {
    if (result.status === "fulfilled") stops.push(() => stop(result.value));
  }
  if (first.status === "rejected") throw first.reason;
  if (second.status === "rejected") throw second.reason;
  return [first.value, second.value];
}

beforeAll(async () => {
  [server, faulty] = await startPair(
    [
      startLocalServer({ apiKey: TEST_API_KEY, maxPartBytes: 1024 }),
      startLocalServer({ apiKey: TEST_API_KEY, faults: { seed: 1, errorRate: 1, errorStatuses: [429, 500, 503] } }),
    ],
    (started) => started.close(),
  );
  // Prism validates each request against the spec, forwards it, then validates the server's
  // response; with --errors a response that breaks the spec becomes a 500.
  [prism, faultyPrism] = await startPair(
    [
      startPrism(["proxy", "openapi/uploads.yaml", server.url, "--errors"]),
      startPrism(["proxy", "openapi/uploads.yaml", faulty.url, "--errors"]),
    ],
    (started) => started.stop(),
  );
}, 60_000);
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/**
 * Checks that a response came through Prism untouched: the status the server meant, no
 * violations reported, and the server's own x-request-id. Returns the JSON body.
 */
async function heldToSpec<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.headers.get("sl-violations"), text).toBeNull();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  return JSON.parse(text) as T;
}

describe("the local server held to the spec through Prism's validating proxy", () => {
  it("create, parts, complete and cancel conform, and so do their errors", async () => {
    const client = api(prism.url, TEST_API_KEY);

    const upload = await heldToSpec<Upload>(
      await client.create({
        filename: "notes.jsonl",
        purpose: "evals",
        bytes: 11,
        mime_type: "application/jsonl",
        expires_after: { anchor: "created_at", seconds: 86_400 },
      }),
      200,
    );
    expect(server.getUpload(upload.id)?.upload).toEqual(upload);
    const world = await heldToSpec<UploadPart>(await client.addPart(upload.id, " world"), 200);
    const hello = await heldToSpec<UploadPart>(await client.addPart(upload.id, "hello"), 200);

    await heldToSpec(await client.complete(upload.id, { part_ids: [hello.id] }), 400);
    await heldToSpec(await client.complete(upload.id, { part_ids: [hello.id, world.id], md5: "0".repeat(32) }), 400);
    await heldToSpec(await client.addPart(upload.id, "x".repeat(12)), 400);
    const big = await heldToSpec<Upload>(await client.create({ ...uploadRequest(), bytes: 4096 }), 200);
    await heldToSpec(await client.addPart(big.id, "x".repeat(1025)), 413);
    await heldToSpec(await client.addPart(big.id, ""), 400);
    const completed = await heldToSpec<Upload>(
      await client.complete(upload.id, {
        part_ids: [hello.id, world.id],
        md5: "5eb63bbbe01eeed093cb22bb8f5acdc3",
      }),
      200,
    );
    expect(completed.status).toBe("completed");
    expect(completed.file?.bytes).toBe(11);
    await heldToSpec(await client.cancel(upload.id), 400);

    const doomed = await heldToSpec<Upload>(await client.create(), 200);
    const cancelled = await heldToSpec<Upload>(await client.cancel(doomed.id), 200);
    expect(cancelled.status).toBe("cancelled");
    await heldToSpec(await client.addPart(doomed.id, "late"), 400);

    await heldToSpec(await client.cancel("upload_unknown"), 404);
    await heldToSpec(await client.addPart("upload_unknown", "x"), 404);
    await heldToSpec(await client.complete("upload_unknown", { part_ids: [] }), 404);
    await heldToSpec(await api(prism.url, "sk-wrong").create(), 401);
  });

  it("injected 429, 500 and 503 responses conform", async () => {
    const client = api(faultyPrism.url, TEST_API_KEY);
    const statuses = new Set<number>();
    while (statuses.size < 3) {
      const res = await client.create();
      const status = res.status;
      expect([429, 500, 503]).toContain(status);
      await heldToSpec(res, status);
      statuses.add(status);
    }
  });
});
