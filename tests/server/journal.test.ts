import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { type LocalServer, type LocalServerOptions, startLocalServer, type Upload } from "../../src/testing.js";
import { tempDir } from "../support/temp.js";
import { api, expectError, ok } from "./helpers.js";

// One directory for the file, removed after it; each test takes a fresh one inside.
const root = await tempDir("journal-test-");
const freshDir = (name: string) => mkdtemp(join(root, `${name}-`));

const JOURNAL = "journal.jsonl";

/** Runs `body` against a server on `dataDir`, closing it even when the body fails. */
async function withServer<T>(options: LocalServerOptions, body: (server: LocalServer) => Promise<T>): Promise<T> {
  const server = await startLocalServer(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** The journal's lines, parsed. */
async function journal(dataDir: string): Promise<{ type: string; upload_id?: string }[]> {
  const text = await readFile(join(dataDir, JOURNAL), "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** A pending upload with two parts, a completed one and a cancelled one. */
async function threeUploads(server: LocalServer) {
  const client = api(server.url);
  const pending = await client.createOk({ bytes: 10 });
  const parts = [await client.addPartOk(pending.id, "hello"), await client.addPartOk(pending.id, "world")];
  const done = await client.createOk({ bytes: 2 });
  const completed = await ok<Upload>(
    await client.complete(done.id, { part_ids: [await client.addPartOk(done.id, "hi")] }),
  );
  const cancelled = await client.createOk();
  await ok(await client.cancel(cancelled.id));
  return { pending, parts, completed, cancelled };
}

describe("the journal", () => {
  it("reloads every upload, part and file on start, ignoring a torn last line", async () => {
    const dataDir = await freshDir("journal-reload");
    const { before, pending, parts, completed } = await withServer({ dataDir }, async (server) => ({
      ...(await threeUploads(server)),
      before: server.listUploads(),
    }));
    // What a crash in the middle of a write leaves: a line without its end.
    await appendFile(join(dataDir, JOURNAL), `{"type":"part","upload_id":"${pending.id}","part":{"id":"part_`);

    await withServer({ dataDir }, async (server) => {
      expect(server.listUploads()).toEqual(before);
      const path = server.fileContentPath(completed.file?.id ?? "");
      expect(await readFile(path ?? "missing", "utf8")).toBe("hi");
      // The reloaded parts are usable: the upload completes with the ids given before the restart.
      const done = await ok<Upload>(
        await api(server.url).complete(pending.id, { part_ids: parts, md5: "fc5e038d38a57032085441e7fe7010b0" }),
      );
      expect(done.status).toBe("completed");
    });
    expect((await readFile(join(dataDir, JOURNAL), "utf8")).endsWith("\n")).toBe(true);
  });

  it("refuses to start on a journal corrupt before its last line, naming the line", async () => {
    const dataDir = await freshDir("journal-corrupt");
    await writeFile(
      join(dataDir, JOURNAL),
      `{"type":"freed","upload_id":"upload_${"0".repeat(24)}"}\nnot json\n{"type":"freed","upload_id":"y"}\n`,
    );
    await expect(startLocalServer({ dataDir })).rejects.toThrow(/journal\.jsonl is corrupt at line 2/);
  });

  it("is compacted on start: one line per upload and per stored part, written whole", async () => {
    const dataDir = await freshDir("journal-compact");
    const { pending, parts } = await withServer({ dataDir }, threeUploads);
    const grown = await journal(dataDir);
    expect(grown.map((event) => event.type)).toEqual(
      expect.arrayContaining(["created", "part", "completed", "cancelled"]),
    );

    await withServer({ dataDir }, async () => {
      const compacted = await journal(dataDir);
      // created x3, then the pending upload's two parts; completions and cancels are folded into "created".
      expect(compacted.map((event) => event.type).sort()).toEqual(["created", "created", "created", "part", "part"]);
      expect(compacted.filter((event) => event.type === "part").map((event) => event.upload_id)).toEqual([
        pending.id,
        pending.id,
      ]);
      expect(compacted.length).toBeLessThan(grown.length);
      expect(await readdir(dataDir)).not.toContain(`${JOURNAL}.tmp`);
    });
    // A compacted journal loads to the same state again.
    await withServer({ dataDir }, async (server) => {
      expect(server.getUpload(pending.id)?.parts.map((part) => part.id)).toEqual(parts);
    });
  });
});

describe("across restarts", () => {
  it("keeps a completed upload's file through a compacted journal, and sweeps only files no upload made", async () => {
    const dataDir = await freshDir("journal-files");
    const options = { dataDir, sweepIntervalMs: 10 };
    const { completed } = await withServer(options, threeUploads);
    const fileId = completed.file?.id ?? "";
    const stray = "file-0123456789abcdef01234567";
    await writeFile(join(dataDir, "files", stray), "no completion made me");
    // The second start compacts the journal; the third loads the completed upload from its one line.
    await withServer(options, async () => {});
    await withServer(options, async (server) => {
      await vi.waitFor(async () => expect(await readdir(join(dataDir, "files"))).not.toContain(stray));
      const path = server.fileContentPath(fileId);
      expect(path && (await readFile(path, "utf8"))).toBe("hi");
    });
  });

  it("drops a part whose file changed size while stopped, removes it, and frees its room", async () => {
    const dataDir = await freshDir("journal-tampered");
    const options = { dataDir, partsWithinBytes: true };
    const { upload, kept, tampered } = await withServer(options, async (server) => {
      const client = api(server.url);
      const upload = await client.createOk({ bytes: 10 });
      return {
        upload,
        kept: await client.addPartOk(upload.id, "hello"),
        tampered: await client.addPartOk(upload.id, "world"),
      };
    });
    await writeFile(join(dataDir, "parts", tampered), "worl");
    await withServer(options, async (server) => {
      expect(server.getUpload(upload.id)?.parts).toEqual([{ id: kept, bytes: 5 }]);
      await vi.waitFor(async () => expect(await readdir(join(dataDir, "parts"))).toEqual([kept]));
      // The 5 bytes it held are free again.
      await api(server.url).addPartOk(upload.id, "WORLD");
    });
  });
});

describe("compaction's threshold", () => {
  it("leaves a journal alone while its lines are few, or mostly still needed", async () => {
    const dataDir = await freshDir("journal-no-compact");
    const options = { dataDir, sweepIntervalMs: 10 };
    await withServer(options, async (server) => {
      const client = api(server.url);
      // Few lines, most superseded: 1 upload, 6 parts, then its cancel drops them.
      const small = await client.createOk({ bytes: 100 });
      for (let i = 0; i < 6; i++) await client.addPartOk(small.id, "part");
      await ok(await client.cancel(small.id));
      // 1200 more lines, every one still needed: 600 uploads of a part each.
      for (let batch = 0; batch < 12; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, async () => {
            const upload = await client.createOk({ bytes: 4 });
            await client.addPartOk(upload.id, "live");
          }),
        );
      }
      const before = (await stat(join(dataDir, JOURNAL))).ino;
      await new Promise((resolve) => setTimeout(resolve, 100)); // ten sweeps
      expect((await stat(join(dataDir, JOURNAL))).ino).toBe(before);
      // Every line is still there: 8 of the small upload's, 2 of each other's (a compaction leaves 1201).
      expect(await journal(dataDir)).toHaveLength(8 + 1200);
    });
  });
});

describe("freeing", () => {
  it("forgets cancelled and expired uploads an hour after their expires_at, in memory and in the journal", async () => {
    const dataDir = await freshDir("journal-free");
    let clock = Date.UTC(2026, 0, 1);
    const options = { dataDir, now: () => clock, sweepIntervalMs: 10 };
    const kept = await withServer(options, async (server) => {
      const client = api(server.url);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const upload = await client.createOk({ bytes: 10 });
        ids.push(upload.id);
        if (i % 2 === 0) await ok(await client.cancel(upload.id));
        else await client.addPartOk(upload.id, "abc");
      }
      clock += 30 * 60_000;
      const kept = await client.createOk({ bytes: 10 });
      // Half an hour on: the cancelled ones are still there (their hour is not up).
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.listUploads()).toHaveLength(21);

      clock += 91 * 60_000;
      // The first 20 expired (or were cancelled) over an hour ago, and that an hour ago; the sweep frees them.
      await expect.poll(() => server.listUploads().map((s) => s.upload.id)).toEqual([kept.id]);
      expect(server.getUpload(ids[0] ?? "")).toBeUndefined();
      await expectError(await client.cancel(ids[1] ?? ""), 404, {
        message: /forgotten an hour after its expires_at/,
      });
      expect(await readdir(join(dataDir, "parts"))).toEqual([]);
      return kept;
    });
    await withServer(options, async (server) => {
      expect(server.listUploads().map((s) => s.upload.id)).toEqual([kept.id]);
      expect(await journal(dataDir)).toEqual([expect.objectContaining({ type: "created" })]);
    });
  });
});

describe("compaction while running", () => {
  it("rewrites the journal once most of its lines are superseded, and keeps appending to the new one", async () => {
    const dataDir = await freshDir("journal-live-compact");
    let clock = Date.UTC(2026, 0, 1);
    const options = { dataDir, now: () => clock, sweepIntervalMs: 10 };
    const kept = await withServer(options, async (server) => {
      const client = api(server.url);
      // 1200 lines (a create and a cancel each), every one of them superseded once the uploads are freed.
      for (let batch = 0; batch < 12; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, async () => ok(await client.cancel((await client.createOk()).id))),
        );
      }
      clock += 2 * 3600_000;
      await expect.poll(async () => (await journal(dataDir)).length, { timeout: 5000 }).toBe(0);
      // Appends go to the compacted journal, not to the file it replaced.
      return client.createOk();
    });
    await withServer(options, async (server) => {
      expect(server.listUploads().map((s) => s.upload.id)).toEqual([kept.id]);
    });
  });
});

describe("the data directory", () => {
  it("takes one server at a time: a second one fails to start, naming the first one's pid", async () => {
    const dataDir = await freshDir("lock");
    await withServer({ dataDir }, async () => {
      await expect(startLocalServer({ dataDir })).rejects.toThrow(
        new RegExp(`Another local server \\(pid ${process.pid}\\) is using the data dir`),
      );
    });
    // Released on close; one left by a process that died is taken over.
    await writeFile(join(dataDir, "server.lock"), `${2 ** 22}\n`);
    await withServer({ dataDir }, async (server) => expect(server.dataDir).toBe(dataDir));
  });

  it("refuses a journal whose ids are not its own, before removing any file they name", async () => {
    const dataDir = await freshDir("journal-ids");
    const victim = join(root, "victim.txt");
    await writeFile(victim, "keep me");
    const upload = `upload_${"0".repeat(24)}`;
    await writeFile(
      join(dataDir, JOURNAL),
      `{"type":"part","upload_id":"${upload}","part":{"id":"../../victim.txt","bytes":1}}\n`,
    );
    await expect(startLocalServer({ dataDir })).rejects.toThrow(
      /corrupt at line 1 \(a part event with missing or malformed ids/,
    );
    expect(await readFile(victim, "utf8")).toBe("keep me");
  });

  it("answers a complete whose part file went missing with a 400 naming it, not a 500 to retry", async () => {
    const dataDir = await freshDir("missing-part");
    await withServer({ dataDir }, async (server) => {
      const client = api(server.url);
      const upload = await client.createOk({ bytes: 10 });
      const parts = [await client.addPartOk(upload.id, "hello"), await client.addPartOk(upload.id, "world")];
      await rm(join(dataDir, "parts", parts[1] ?? ""));
      await expectError(await client.complete(upload.id, { part_ids: parts }), 400, {
        param: "part_ids",
        message: new RegExp(
          `part_ids\\[1\\] is '${parts[1]}', a part of upload ${upload.id} no longer on the server's disk`,
        ),
      });
      expect(server.getUpload(upload.id)?.upload.status).toBe("pending");
    });
  });
});
