import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type OperationId, operationIds, operations } from "../../generated/operations.js";
import { type RunningPrism, startPrism } from "../../scripts/lib/prism.js";
import { APIError, createUploadsClient, type UploadsClient } from "../../src/index.js";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";

// Random sequences of the spec's operations (valid and not) against the local server, each
// answer held to a reference model of the API's rules: Schemathesis-style stateful testing,
// with the operations from the generated table and the ids they take from the spec's links.

/** What the model knows of one upload. */
interface ModelUpload {
  id: string;
  bytes: number;
  status: "pending" | "completed" | "cancelled";
  /** Its parts, in the order they were accepted, with their bytes. */
  parts: Array<{ id: string; data: Uint8Array }>;
}

interface Model {
  uploads: ModelUpload[];
}

interface Real {
  client: UploadsClient;
}

/** The API's answer to a call: its status (200 or the error's). */
async function statusOf(call: Promise<unknown>): Promise<{ status: number; body?: unknown }> {
  try {
    return { status: 200, body: await call };
  } catch (error) {
    if (error instanceof APIError) {
      // Every error is OpenAI-shaped: a message that says what was wrong.
      expect(typeof (error.error as { message?: unknown })?.message).toBe("string");
      return { status: error.status };
    }
    throw error; // an answer that is not the spec's, or a broken connection: a failure in itself
  }
}

const UNKNOWN = "upload_000000000000000000000000";
const md5 = (chunks: Uint8Array[]) => {
  const hash = createHash("md5");
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
};

/**
 * The operations whose `upload_id` the spec links to createUpload's answer: the ones a
 * sequence feeds with the ids of uploads it created. Read from the spec, not listed here.
 */
async function linkedOperations(): Promise<Set<string>> {
  const spec = parse(await readFile("openapi/uploads.yaml", "utf8"));
  const links = spec.paths["/uploads"].post.responses["200"].links as Record<
    string,
    { operationId: string; parameters: Record<string, string> }
  >;
  return new Set(
    Object.values(links)
      .filter((link) => link.parameters.upload_id === "$response.body#/id")
      .map((link) => link.operationId),
  );
}

/**
 * An upload to address: mostly the one created last (so that sequences build an upload up and
 * complete it), else any the sequence created (by index into the model), or one that does not
 * exist (-1).
 */
const target = fc.oneof(
  { weight: 4, arbitrary: fc.constant(Number.MAX_SAFE_INTEGER) },
  { weight: 3, arbitrary: fc.nat() },
  { weight: 1, arbitrary: fc.constant(-1) },
);
const pick = (model: Model, index: number) =>
  index < 0
    ? undefined
    : model.uploads[index === Number.MAX_SAFE_INTEGER ? model.uploads.length - 1 : index % model.uploads.length];

/**
 * One command per operation of the spec, each with the model's rule for it. The map is typed by
 * the generated OperationId: an operation added to the spec fails to compile here until the
 * model knows it.
 */
function commandsFor(linked: Set<string>): { [Id in OperationId]: fc.Arbitrary<fc.AsyncCommand<Model, Real>> } {
  const idOf = (model: Model, index: number) => pick(model, index)?.id ?? UNKNOWN;
  const needsUpload = (id: OperationId) => (model: Model) => !linked.has(id) || model.uploads.length > 0;
  return {
    createUpload: fc.integer({ min: 1, max: 20 }).map((bytes) => ({
      check: () => true,
      async run(model, real) {
        const answer = await statusOf(
          real.client.createUpload({ bytes, filename: "f.txt", mime_type: "text/plain", purpose: "batch" }),
        );
        expect(answer.status).toBe(200);
        const upload = answer.body as { id: string; status: string; bytes: number };
        expect(upload).toMatchObject({ status: "pending", bytes });
        model.uploads.push({ id: upload.id, bytes, status: "pending", parts: [] });
      },
      toString: () => `createUpload(bytes=${bytes})`,
    })),
    // A size, or "rest": what the upload still lacks, so that sequences reach a complete that succeeds.
    addUploadPart: fc
      .tuple(
        target,
        fc.oneof(
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 12 }) },
          { weight: 3, arbitrary: fc.constant("rest" as const) },
        ),
      )
      .map(([index, chosen]) => ({
        check: needsUpload("addUploadPart"),
        async run(model, real) {
          const upload = pick(model, index);
          const held = upload?.parts.reduce((total, part) => total + part.data.length, 0) ?? 0;
          const size = chosen === "rest" ? Math.max(1, (upload?.bytes ?? 1) - held) : chosen;
          const data = new Uint8Array(size).fill(model.uploads.length + size);
          const answer = await statusOf(real.client.addUploadPart(idOf(model, index), { data: new Blob([data]) }));
          const expected = !upload ? 404 : upload.status !== "pending" || size === 0 || size > upload.bytes ? 400 : 200;
          expect(answer.status).toBe(expected);
          if (answer.status === 200 && upload) upload.parts.push({ id: (answer.body as { id: string }).id, data });
        },
        toString: () => `addUploadPart(upload#${index}, ${chosen} bytes)`,
      })),
    completeUpload: fc
      .tuple(
        target,
        // Mostly the parts as sent, so that sequences get past complete; the others each break a rule.
        fc.oneof(
          { weight: 4, arbitrary: fc.constant("all") },
          { weight: 1, arbitrary: fc.constantFrom("shuffled", "some", "foreign") },
        ),
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom("right", "none") },
          { weight: 1, arbitrary: fc.constant("wrong") },
        ),
      )
      .map(([index, listing, checksum]) => ({
        check: needsUpload("completeUpload"),
        async run(model, real) {
          const upload = pick(model, index);
          const own = upload?.parts ?? [];
          const others = model.uploads.filter((u) => u !== upload).flatMap((u) => u.parts);
          const listed =
            listing === "all"
              ? own
              : listing === "shuffled"
                ? [...own].reverse()
                : listing === "some"
                  ? own.slice(1)
                  : [...own, ...others.slice(0, 1)];
          const sum = listed.reduce((total, part) => total + part.data.length, 0);
          const body = {
            part_ids: listed.map((part) => part.id),
            ...(checksum === "none"
              ? {}
              : { md5: checksum === "right" ? md5(listed.map((p) => p.data)) : "0".repeat(32) }),
          };
          const answer = await statusOf(real.client.completeUpload(idOf(model, index), body));
          const foreign = listed.some((part) => !own.includes(part));
          const valid = !foreign && sum === upload?.bytes && checksum !== "wrong";
          const expected = !upload ? 404 : upload.status !== "pending" || !valid ? 400 : 200;
          expect(answer.status).toBe(expected);
          if (answer.status === 200 && upload) {
            expect(answer.body).toMatchObject({
              status: "completed",
              bytes: upload.bytes,
              file: { bytes: upload.bytes },
            });
            upload.status = "completed";
          }
        },
        toString: () => `completeUpload(upload#${index}, ${listing} parts, md5 ${checksum})`,
      })),
    cancelUpload: target.map((index) => ({
      check: needsUpload("cancelUpload"),
      async run(model, real) {
        const upload = pick(model, index);
        const answer = await statusOf(real.client.cancelUpload(idOf(model, index)));
        expect(answer.status).toBe(!upload ? 404 : upload.status !== "pending" ? 400 : 200);
        if (answer.status === 200 && upload) {
          expect(answer.body).toMatchObject({ status: "cancelled" });
          upload.status = "cancelled";
        }
      },
      toString: () => `cancelUpload(upload#${index})`,
    })),
  };
}

/** Runs `runs` random sequences of the spec's operations through `client`, from `seed`. */
async function runSequences(client: UploadsClient, runs: number): Promise<void> {
  const linked = await linkedOperations();
  // The links name every operation that takes an upload_id: the sequences reach them all.
  expect([...linked].sort()).toEqual(
    operationIds.filter((id) => (operations[id].pathParams as readonly string[]).includes("upload_id")).sort(),
  );
  const commands = Object.values(commandsFor(linked));
  const seed = Number(process.env.STATEFUL_SEED ?? 20261201);
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: "max" }), (sequence) =>
      fc.asyncModelRun(() => ({ model: { uploads: [] }, real: { client } }), sequence),
    ),
    { seed, numRuns: runs, interruptAfterTimeLimit: 20_000 },
  );
}

describe("the local server against a model of the API, over random sequences", () => {
  let server: LocalServer;
  let prism: RunningPrism | undefined;
  beforeAll(async () => {
    server = await startLocalServer({ apiKey: TEST_API_KEY });
  });
  afterAll(async () => {
    await prism?.stop();
    await server?.close();
  });

  it("answers every sequence of the spec's operations as the model says, each answer the spec's", async () => {
    await runSequences(createUploadsClient({ apiKey: TEST_API_KEY, baseUrl: server.url, maxRetries: 0 }), 60);
  }, 30_000);

  it("sends only requests the spec accepts, and answers only as it says, through Prism's validating proxy", async () => {
    // Prism checks each request against the spec before forwarding it, and each answer after:
    // with --errors a violation becomes its own 422 or 500, which the model does not expect.
    prism = await startPrism(["proxy", "openapi/uploads.yaml", server.url, "--errors"]);
    const checked = async (request: Request) => {
      const response = await fetch(request);
      expect(response.headers.get("sl-violations")).toBeNull();
      return response;
    };
    await runSequences(
      createUploadsClient({ apiKey: TEST_API_KEY, baseUrl: prism.url, maxRetries: 0, fetch: checked }),
      10,
    );
  }, 60_000);
});
