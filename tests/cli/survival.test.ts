import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import { mkdir, open, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { pipeline } from "node:stream/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import type { Upload } from "../../src/types.js";
import { sha256 } from "../support/hashes.js";
import { KEY_ENV } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { BIN, cli, startCli, until } from "./support.js";

// What a user sees when the CLI dies mid-upload, and when the data comes through a pipe.

const dir = await tempDir("cli-survival-");
const KiB = 1024;
const MiB = 1024 * KiB;

async function sampleFile(size: number, name: string) {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, bytes, sha256: sha256(bytes) };
}

async function storedSha256(server: LocalServer, upload: Upload) {
  const path = server.fileContentPath(upload.file?.id ?? "");
  if (!path) throw new Error("no file on the server");
  return sha256(await readFile(path));
}

/** A state directory shared by the runs of one test, as one user's home would be. */
async function stateHome(name: string) {
  const home = join(dir, `state-${name}`);
  await mkdir(home, { recursive: true });
  return { ...KEY_ENV, XDG_STATE_HOME: home };
}

describe("upload survives being killed", () => {
  let server: LocalServer;
  beforeAll(async () => {
    // Parts take a while each, so that a kill lands while some are in flight.
    server = await startLocalServer({ faults: { delayMs: 40, operations: ["addUploadPart"] } });
  });
  afterAll(() => server?.close());

  it("SIGKILL at seeded points, then the same command again: one upload, byte-exact, few parts resent", async () => {
    const PARTS = 24;
    const CONCURRENCY = 3;
    // Seeded kill points, three of them: after 1 to PARTS - 3 x CONCURRENCY part requests have
    // reached the server, so that a kill always lands while parts are left to send.
    const [killPoints] = fc.sample(
      fc.uniqueArray(fc.integer({ min: 1, max: PARTS - 3 * CONCURRENCY }), { minLength: 3, maxLength: 3 }),
      {
        seed: 13,
        numRuns: 1,
      },
    );
    const points = [...(killPoints ?? [])].sort((a, b) => a - b);
    const file = await sampleFile(PARTS * 64 * KiB, "killed.bin");
    const env = await stateHome("kill");
    const args = ["--base-url", server.url, "upload", file.path, "--purpose", "batch"];
    const first = [...args, "--part-size", "64KiB", "--concurrency", String(CONCURRENCY)];
    const before = { ...server.stats.byOperation };
    const seen = () => server.stats.byOperation.addUploadPart - before.addUploadPart;
    let uploadId: string | undefined;
    for (const [round, point] of points.entries()) {
      // The first run sets the part size; later runs are the same command without it, as a user may type it.
      const running = startCli(round === 0 ? first : [...args, "--concurrency", String(CONCURRENCY)], env);
      await until(() => seen() >= point, 30_000);
      running.child.kill("SIGKILL");
      const killed = await running.done;
      expect(killed.signal).toBe("SIGKILL");
      // The upload was named as soon as it existed, before any part.
      const named = /(?:created|resuming) (upload_\w+)/.exec(killed.stderr)?.[1];
      expect(named).toBeDefined();
      uploadId ??= named;
      expect(named).toBe(uploadId);
    }
    const result = await cli([...args, "--concurrency", String(CONCURRENCY)], env);
    expect(result.stderr).toMatch(new RegExp(`resuming ${uploadId}: \\d+ of ${PARTS} parts already sent`));
    expect(result.code).toBe(0);
    const upload = JSON.parse(result.stdout) as Upload;
    expect(upload.id).toBe(uploadId);
    expect(server.stats.byOperation.createUpload - before.createUpload).toBe(1);
    expect(await storedSha256(server, upload)).toBe(file.sha256);
    // Only parts in flight (or accepted but not yet recorded) at a kill are sent again.
    const resent = seen() - PARTS;
    expect(resent).toBeLessThanOrEqual(points.length * CONCURRENCY);
    console.info(`kills after ${points.join(", ")} part requests: ${resent} of ${PARTS} parts sent again`);
    // Completed: the journal entry is gone. A kill in the middle of a save may leave its temp
    // file, which a later run sweeps once it is a minute old (it may be another run's write).
    const left = await readdir(join(env.XDG_STATE_HOME, "openai-uploads", "resume"));
    expect(left.filter((name) => !name.endsWith(".tmp"))).toEqual([]);
    expect(left.length).toBeLessThanOrEqual(points.length);
  }, 90_000);

  /** An upload of a new file killed once two of its parts reached the server: the id it printed, and how to run it again. */
  async function killedUpload(name: string) {
    const file = await sampleFile(8 * 64 * KiB, name);
    const env = await stateHome(name);
    const args = ["--base-url", server.url, "upload", file.path, "--purpose", "batch", "--part-size", "64KiB"];
    const before = server.stats.byOperation.addUploadPart;
    const running = startCli([...args, "--concurrency", "1"], env);
    await until(() => server.stats.byOperation.addUploadPart - before >= 2, 30_000);
    running.child.kill("SIGKILL");
    const oldId = /created (upload_\w+)/.exec((await running.done).stderr)?.[1] ?? "";
    return { file, again: (...extra: string[]) => cli([...args, ...extra], env), oldId };
  }

  it("a file that changed since starts a new upload, says so, and cancels the old one", async () => {
    const { file, again, oldId } = await killedUpload("changed.bin");
    // Same size, new modification time: another file as far as a resume can tell.
    const later = new Date((await stat(file.path)).mtimeMs + 5000);
    await utimes(file.path, later, later);
    const result = await again();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`not resuming ${oldId}: the file has changed since it began; cancelled it`);
    expect(result.stderr).toMatch(/created upload_/);
    expect(JSON.parse(result.stdout).id).not.toBe(oldId);
    expect(server.getUpload(oldId)?.upload.status).toBe("cancelled");
  }, 60_000);

  it("a failed --no-resume run does not advise running it again as it is, which would start over", async () => {
    const refusing = await startLocalServer({
      faults: { errorRate: 1, errorStatuses: [400], operations: ["addUploadPart"] },
    });
    try {
      const file = await sampleFile(64 * KiB, "no-resume-fails.bin");
      const args = ["--base-url", refusing.url, "upload", file.path, "--purpose", "batch"];
      const result = await cli([...args, "--no-resume"], await stateHome("no-resume-fails"));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("(or run it again without --no-resume)");
      expect(result.stderr).not.toContain("run the same command again");
      // Without --no-resume, running it again is the advice.
      const plain = await cli(args, await stateHome("plain-fails"));
      expect(plain.stderr).toMatch(/\(or run the same command again: it resumes from .*\)/);
    } finally {
      await refusing.close();
    }
  });

  it("goes on without crash safety, and says so, when the state directory cannot be written", async () => {
    const file = await sampleFile(64 * KiB, "unwritable.bin");
    // A path under a file: nothing can ever be created there.
    const blocker = join(dir, "a-file");
    await writeFile(blocker, "");
    const result = await cli(["--base-url", server.url, "upload", file.path, "--purpose", "batch"], {
      ...KEY_ENV,
      XDG_STATE_HOME: join(blocker, "state"),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^cannot keep resume state under .*a-file\/state\/openai-uploads \(ENOTDIR\); the upload goes on, but a crash would lose its progress$/m,
    );
    expect(await storedSha256(server, JSON.parse(result.stdout))).toBe(file.sha256);
  });

  it("--no-resume starts afresh and cancels the interrupted upload", async () => {
    const { file, again, oldId } = await killedUpload("fresh.bin");
    const result = await again("--no-resume");
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`not resuming ${oldId}: --no-resume; cancelled it`);
    expect(server.getUpload(oldId)?.upload.status).toBe("cancelled");
    expect(await storedSha256(server, JSON.parse(result.stdout))).toBe(file.sha256);
  }, 60_000);
});

/** The peak resident memory of a process so far (Linux's VmHWM), in bytes; 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return Number(kib ?? 0) * KiB;
  } catch {
    return 0;
  }
}

/** `size` pseudo-random bytes, generated as they are read, never held whole. */
function generated(size: number, seed: number): Readable {
  let sent = 0;
  let state = seed;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const chunk = Buffer.alloc(Math.min(MiB, size - sent));
      for (let i = 0; i < chunk.length; i += 4) {
        state = (state * 1664525 + 1013904223) >>> 0;
        chunk.writeUInt32LE(state, i);
      }
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

describe("upload - reads a stream of known size from stdin", () => {
  it("96 MiB through a pipe, with connections reset mid-upload: byte-exact, in bounded memory", async () => {
    // Some parts are stored and then their connection dropped: each is sent again from its buffer.
    const server = await startLocalServer({
      faults: { seed: 5, dropAfterStoreRate: 0.25, operations: ["addUploadPart"] },
    });
    try {
      const PART = 8 * MiB;
      const CONCURRENCY = 2;
      const SIZE = 96 * MiB;
      // The same bytes on disk: the baseline, which streams parts from the file and holds none.
      const onDisk = join(dir, "export.jsonl");
      await pipeline(generated(SIZE, 7), createWriteStream(onDisk));
      const upload = async (file: string) => {
        const running = startCli(
          [
            "--base-url",
            server.url,
            "upload",
            file,
            ...(file === "-" ? ["--bytes", String(SIZE)] : []),
            "--filename",
            "export.jsonl",
            "--purpose",
            "batch",
            "--part-size",
            "8MiB",
            "--concurrency",
            String(CONCURRENCY),
          ],
          KEY_ENV,
          file === "-" ? { stdin: generated(SIZE, 7) } : {},
        );
        let peak = 0;
        const pid = running.child.pid ?? 0;
        const sampler = setInterval(() => {
          peak = Math.max(peak, peakRss(pid));
        }, 20);
        const result = await running.done.finally(() => clearInterval(sampler));
        expect(result.code).toBe(0);
        const stored = JSON.parse(result.stdout) as Upload;
        expect(stored.bytes).toBe(SIZE);
        expect(await storedSha256(server, stored)).toBe(await sha256Of(generated(SIZE, 7)));
        return { peak, faults: server.stats.faults };
      };
      const file = await upload(onDisk);
      const stream = await upload("-");
      // Connections were reset during the stream's upload too, and it still arrived byte-exact.
      expect(stream.faults).toBeGreaterThan(file.faults);
      // The stated bound: (concurrency + 1) part buffers; a stream held whole would be 96 MiB more.
      // RSS also holds garbage the collector has not taken yet, more of it on a busy machine
      // (11-20 MiB over the file alone, up to 29 with the whole suite running): 16 MiB of slack.
      const overhead = stream.peak - file.peak;
      console.info(
        `upload - of 96 MiB: peak RSS ${(stream.peak / MiB).toFixed(0)} MiB, ${(overhead / MiB).toFixed(0)} MiB over ` +
          `the same file from disk; bound (concurrency + 1) x part size = ${((CONCURRENCY + 1) * PART) / MiB} MiB`,
      );
      expect(overhead).toBeLessThanOrEqual((CONCURRENCY + 1) * PART + 16 * MiB);
    } finally {
      await server.close();
    }
  }, 120_000);

  it("takes the size of stdin from the file it is redirected from", async () => {
    const server = await startLocalServer();
    try {
      const file = await sampleFile(300 * KiB, "redirected.bin");
      const input = await open(file.path);
      const child = spawn(
        process.execPath,
        [BIN, "--base-url", server.url, "upload", "-", "--filename", "r.bin", "--purpose", "batch"],
        { env: { ...process.env, ...KEY_ENV }, stdio: [input.fd, "pipe", "pipe"] },
      );
      const [stdout] = await Promise.all([text(child.stdout as Readable), once(child, "close")]);
      await input.close();
      expect(child.exitCode).toBe(0);
      expect(await storedSha256(server, JSON.parse(stdout))).toBe(file.sha256);
    } finally {
      await server.close();
    }
  });

  it("refuses a stream without --bytes or --filename before any request, and one that ends short", async () => {
    const server = await startLocalServer();
    try {
      const base = ["--base-url", server.url, "upload", "-", "--purpose", "batch"];
      const noBytes = await cli([...base, "--filename", "a.txt"], KEY_ENV);
      expect(noBytes.code).toBe(2);
      expect(noBytes.stderr).toMatch(/^openai-uploads: A stream needs its size in bytes.* Pass --bytes\.$/m);
      const noName = await cli([...base, "--bytes", "10"], KEY_ENV);
      expect(noName.code).toBe(2);
      expect(noName.stderr).toMatch(/Pass --filename/);
      expect(server.stats.byOperation.createUpload).toBe(0);
      const short = await startCli([...base, "--bytes", "100", "--filename", "a.txt"], KEY_ENV, {
        stdin: Readable.from([Buffer.alloc(60)]),
      }).done;
      expect(short.code).toBe(1);
      expect(short.stderr).toMatch(/the stream ended after 60 bytes, short of its declared size of 100 bytes/);
      // Nothing half-uploaded is left pending.
      expect(server.listUploads().map(({ upload }) => upload.status)).toEqual(["cancelled"]);
    } finally {
      await server.close();
    }
  });
});
