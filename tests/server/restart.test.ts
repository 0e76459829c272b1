import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { createUploadsClient, uploadFile } from "../../src/index.js";
import type { LocalServerOptions } from "../../src/testing.js";
import { sha256 } from "../support/hashes.js";
import { TEST_API_KEY } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { bytesOf } from "./helpers.js";

// One directory for the file, removed after it; each test takes a fresh one inside.
const root = await tempDir("restart-test-");
const freshDir = (name: string) => mkdtemp(join(root, `${name}-`));

const MiB = 1024 * 1024;
const SCRIPT = join(import.meta.dirname, "child-server.ts");
const children = new Set<ChildProcess>();

afterEach(async () => {
  await Promise.all([...children].map((child) => kill9(child)));
});

/** Starts the local server in a child process (so it can be killed for real) and resolves with its URL. */
async function startChild(options: LocalServerOptions): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [first] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code]) => {
      throw new Error(`the server process exited with ${code} before listening`);
    }),
  ])) as [string];
  return { child, url: (JSON.parse(first) as { url: string }).url };
}

/** SIGKILL: no close(), no flush, as a crash or `kill -9` leaves the data dir. */
async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("hex");

describe("a server killed with SIGKILL and started again on its data dir", () => {
  it("keeps the upload and its parts: the client adds the rest and completes, byte-exact", async () => {
    const dataDir = await freshDir("restart-ops");
    const whole = bytesOf(3 * MiB, 5);
    const chunks = [0, 1, 2].map((i) => whole.subarray(i * MiB, (i + 1) * MiB));
    const first = await startChild({ dataDir, apiKey: TEST_API_KEY });
    const client = createUploadsClient({ apiKey: TEST_API_KEY, baseUrl: first.url });
    const upload = await client.createUpload({
      filename: "whole.bin",
      purpose: "batch",
      bytes: whole.length,
      mime_type: "application/octet-stream",
    });
    const partIds = [];
    for (const chunk of chunks.slice(0, 2))
      partIds.push((await client.addUploadPart(upload.id, { data: new Blob([chunk]) })).id);

    await kill9(first.child);
    const second = await startChild({ dataDir, apiKey: TEST_API_KEY, port: Number(new URL(first.url).port) });
    expect(second.url).toBe(first.url);

    partIds.push(
      (await client.addUploadPart(upload.id, { data: new Blob([chunks[2] as Uint8Array<ArrayBuffer>]) })).id,
    );
    const completed = await client.completeUpload(upload.id, { part_ids: partIds, md5: md5(whole) });
    expect(completed).toMatchObject({ id: upload.id, status: "completed", bytes: whole.length });
    const stored = await readFile(join(dataDir, "files", completed.file?.id ?? "missing"));
    expect(sha256(stored)).toBe(sha256(whole));
  });

  it("lets an uploadFile in flight ride out the kill and the restart, and complete byte-exact", async () => {
    const dataDir = await freshDir("restart-upload");
    const path = join(await freshDir("source"), "whole.bin");
    const whole = bytesOf(4 * MiB, 9);
    await writeFile(path, whole);
    // The delay keeps each part in flight long enough for the kill to land mid-upload.
    const options: LocalServerOptions = {
      dataDir,
      apiKey: TEST_API_KEY,
      faults: { delayMs: 100, operations: ["addUploadPart"] },
    };
    const first = await startChild(options);
    const port = Number(new URL(first.url).port);
    let restarted: Promise<unknown> | undefined;
    const client = createUploadsClient({ apiKey: TEST_API_KEY, baseUrl: first.url });
    const upload = await uploadFile(client, {
      file: path,
      purpose: "batch",
      mimeType: "application/octet-stream",
      partSize: MiB,
      concurrency: 1,
      onProgress: ({ partsDone }) => {
        if (partsDone === 1 && !restarted) {
          restarted = kill9(first.child).then(() => startChild({ ...options, port }));
        }
      },
    });
    expect(restarted).toBeDefined();
    await restarted;
    expect(upload.status).toBe("completed");
    const stored = await readFile(join(dataDir, "files", upload.file?.id ?? "missing"));
    expect(sha256(stored)).toBe(sha256(whole));
  });
});
