import { existsSync } from "node:fs";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { UPLOAD_TTL_SECONDS } from "../../src/limits.js";
import { startLocalServer, type UploadPart } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { api, partInFlight } from "./helpers.js";

// One directory for the file, removed after it; each test takes a fresh one inside.
const root = await tempDir("sweep-test-");
const freshDir = (name: string) => mkdtemp(join(root, `${name}-`));

const partFiles = (dataDir: string) => readdir(join(dataDir, "parts"));

describe("the sweep", () => {
  it("removes part files that belong to no upload, but not a part still arriving nor other files", async () => {
    const dataDir = await freshDir("sweep-orphans");
    const orphan = "part_0123456789abcdef01234567";
    const server = await startLocalServer({ dataDir, apiKey: TEST_API_KEY, sweepIntervalMs: 10 });
    try {
      const upload = await api(server.url).createOk({ bytes: 10_000 });
      // A part whose bytes are arriving: its file exists, and no record names it yet.
      const part = partInFlight(server.url, upload.id, "a".repeat(5000));
      await vi.waitFor(async () => expect(await partFiles(dataDir)).toHaveLength(1));
      const [arriving] = await partFiles(dataDir);

      // Left by a crash: a part file no journal line names, and a file the server did not make.
      await writeFile(join(dataDir, "parts", orphan), "lost");
      await writeFile(join(dataDir, "parts", "notes.txt"), "mine");
      await vi.waitFor(() => expect(existsSync(join(dataDir, "parts", orphan))).toBe(false));
      // Swept a few more times while the part is still arriving.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await partFiles(dataDir)).sort()).toEqual([arriving, "notes.txt"].sort());

      const { status, body } = await part.finish();
      expect(status, body).toBe(200);
      expect((JSON.parse(body) as UploadPart).id).toBe(arriving);
      expect(server.getUpload(upload.id)?.parts).toEqual([{ id: arriving, bytes: 5000 }]);
    } finally {
      await server.close();
    }
  });

  it("expires a due upload and removes its parts with no request touching it", async () => {
    const dataDir = await freshDir("sweep-expiry");
    let clock = Date.UTC(2026, 0, 1);
    const server = await startLocalServer({ dataDir, now: () => clock, sweepIntervalMs: 10 });
    try {
      const client = api(server.url);
      const upload = await client.createOk({ bytes: 10 });
      const parts = [await client.addPartOk(upload.id, "hello"), await client.addPartOk(upload.id, "world")];
      expect((await partFiles(dataDir)).sort()).toEqual([...parts].sort());
      clock += UPLOAD_TTL_SECONDS * 1000;
      // Nothing asks about the upload (getUpload or a request would expire it on the spot): only the sweep runs.
      await vi.waitFor(async () => expect(await partFiles(dataDir)).toEqual([]));
      // Expired an hour after creation, and still answered as expired for another hour...
      expect(server.getUpload(upload.id)?.upload.status).toBe("expired");
      // ...then freed.
      clock += UPLOAD_TTL_SECONDS * 1000;
      await vi.waitFor(() => expect(server.getUpload(upload.id)).toBeUndefined());
    } finally {
      await server.close();
    }
  });

  it("runs once on start: expired uploads and orphans left by the last run are gone before the first request", async () => {
    const dataDir = await freshDir("sweep-start");
    let clock = Date.UTC(2026, 0, 1);
    const first = await startLocalServer({ dataDir, now: () => clock });
    const client = api(first.url);
    const upload = await client.createOk({ bytes: 10 });
    await client.addPartOk(upload.id, "hello");
    await first.close();
    await writeFile(join(dataDir, "parts", "part_0123456789abcdef01234567"), "lost");
    // Expired, and an hour past that: freed.
    clock += 2 * UPLOAD_TTL_SECONDS * 1000;
    // An hour between sweeps: only the one on start can have run.
    const second = await startLocalServer({ dataDir, now: () => clock, sweepIntervalMs: 3_600_000 });
    try {
      expect(await partFiles(dataDir)).toEqual([]);
      expect(second.listUploads()).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it("refuses a sweepIntervalMs that is not a positive number", async () => {
    await expect(startLocalServer({ sweepIntervalMs: 0 })).rejects.toThrow(/sweepIntervalMs must be a positive number/);
  });
});
