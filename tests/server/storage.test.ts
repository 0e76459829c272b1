import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { APIError, createUploadsClient } from "../../src/index.js";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";
import { rejection } from "../support/rejection.js";
import { api, bytesOf, expectError, ok } from "./helpers.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const DISK_BYTES = 2 * MiB;

/**
 * Where mounting a tmpfs is not allowed (not root, a container without the capability), the
 * disk is full by stub instead: writes to a part or file stream fail with ENOSPC past
 * `streamBytes`, and journal writes while `journal` is set. Nothing is stubbed otherwise.
 */
const stub = vi.hoisted(() => ({ streamBytes: undefined as number | undefined, journal: false }));

const enospc = () =>
  Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" });

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  const createWriteStream = ((...args: Parameters<typeof actual.createWriteStream>) => {
    const out = actual.createWriteStream(...args);
    if (stub.streamBytes === undefined) return out;
    const limit = stub.streamBytes;
    let written = 0;
    const write = out._write.bind(out);
    // One chunk at a time, so every byte passes the check below.
    (out as { _writev?: unknown })._writev = undefined;
    out._write = (chunk: Buffer, encoding, callback) => {
      written += chunk.length;
      if (written > limit) callback(enospc());
      else write(chunk, encoding, callback);
    };
    return out;
  }) as typeof actual.createWriteStream;
  return { ...actual, default: { ...actual, createWriteStream }, createWriteStream };
});

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const open = (async (...args: Parameters<typeof actual.open>) => {
    const handle = await actual.open(...args);
    if (!String(args[0]).endsWith("journal.jsonl")) return handle;
    return new Proxy(handle, {
      get(target, property) {
        if (property === "write" && stub.journal) return () => Promise.reject(enospc());
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }) as typeof actual.open;
  return { ...actual, default: { ...actual, open }, open };
});

/** Whether this machine lets the test mount a tmpfs: then the disk is really full, no stub. */
function canMount(): boolean {
  const dir = join(tmpdir(), `tmpfs-probe-${process.pid}`);
  try {
    execFileSync("mkdir", ["-p", dir]);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    execFileSync("umount", [dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync("rm", ["-rf", dir]);
  }
}

const MOUNTED = process.env.STORAGE_TEST_STUB !== "1" && canMount();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  stub.streamBytes = undefined;
  stub.journal = false;
});

/** A server whose data dir is a fresh disk of DISK_BYTES: a tmpfs of that size, or a stubbed one. */
async function serverOnSmallDisk(): Promise<{ server: LocalServer; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), "full-disk-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  if (MOUNTED) {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${DISK_BYTES}`, "tmpfs", dataDir]);
    cleanups.push(async () => {
      execFileSync("umount", [dataDir]);
    });
  }
  const server = await startLocalServer({ dataDir, apiKey: TEST_API_KEY });
  cleanups.push(() => server.close());
  return { server, dataDir };
}

/** Fills the disk to the brim; in stub mode, the journal's writes fail from now on. */
async function fillDisk(dataDir: string): Promise<() => Promise<void>> {
  if (!MOUNTED) {
    stub.journal = true;
    return async () => {
      stub.journal = false;
    };
  }
  const filler = join(dataDir, "filler");
  await writeFile(filler, Buffer.alloc(DISK_BYTES)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOSPC") throw error;
  });
  return () => rm(filler);
}

describe(`storage errors, on a full ${MOUNTED ? "tmpfs" : "disk (stubbed: tmpfs cannot be mounted here)"}`, () => {
  it("answers a part that does not fit on the disk with 507 at once, and keeps none of it", async () => {
    const { server, dataDir } = await serverOnSmallDisk();
    if (!MOUNTED) stub.streamBytes = DISK_BYTES;
    const upload = await api(server.url).createOk({ bytes: 64 * MiB });
    // A timeout far beyond the answer's: a stalled server would show up as a timeout, not as this 507.
    const client = createUploadsClient({ apiKey: TEST_API_KEY, baseUrl: server.url, maxRetries: 0, timeoutMs: 15_000 });
    // Far more than the disk and every buffer on the way hold: most of it is still unsent when the disk fills.
    const error = await rejection(client.addUploadPart(upload.id, { data: new Blob([bytesOf(24 * MiB)]) }), APIError);
    expect(error.status).toBe(507);
    expect(error.error).toMatchObject({ type: "server_error" });
    // The rest of the body was not read, so the connection is closed after the answer.
    expect(error.headers.get("connection")).toBe("close");
    expect(error.message).toContain(
      `The local server could not store the part: no space left on device (ENOSPC) in ${dataDir}. Free space there and send the part again.`,
    );
    expect(await readdir(join(dataDir, "parts"))).toEqual([]);
    expect(server.getUpload(upload.id)?.parts).toEqual([]);
    // The space the partial part took is free again, and the server goes on serving.
    stub.streamBytes = undefined;
    const part = await client.addUploadPart(upload.id, { data: new Blob([bytesOf(MiB)]) });
    expect(server.getUpload(upload.id)?.parts).toEqual([{ id: part.id, bytes: MiB }]);
  });

  it("answers a completion whose file does not fit with 507, removes the joined file, and keeps the upload pending", async () => {
    const { server, dataDir } = await serverOnSmallDisk();
    const client = api(server.url);
    const upload = await client.createOk({ bytes: 1400 * KiB });
    const partIds = [
      await client.addPartOk(upload.id, bytesOf(700 * KiB, 1)),
      await client.addPartOk(upload.id, bytesOf(700 * KiB, 2)),
    ];
    if (!MOUNTED) stub.streamBytes = MiB;
    await expectError(await client.complete(upload.id, { part_ids: partIds }), 507, {
      type: "server_error",
      message:
        /could not join the parts into the file: no space left on device \(ENOSPC\) in .*complete the upload again/,
    });
    expect(await readdir(join(dataDir, "files"))).toEqual([]);
    expect(server.getUpload(upload.id)?.upload.status).toBe("pending");
    expect(server.getUpload(upload.id)?.parts.map((part) => part.id)).toEqual(partIds);
  });

  it("answers a change the journal cannot record with 507, and the journal stays whole", async () => {
    // Nothing written yet: the journal's first line needs a block of the disk, which is full.
    const { server, dataDir } = await serverOnSmallDisk();
    const client = api(server.url);
    const undo = await fillDisk(dataDir);
    await expectError(await client.create(), 507, {
      type: "server_error",
      message:
        /could not record the new upload in its journal: no space left on device \(ENOSPC\) in .*create the upload again/,
    });
    expect(server.listUploads()).toEqual([]);
    await undo();
    const after = await client.createOk();
    await server.close();
    // Nothing of the refused write was left in the journal to trip the next start.
    const again = await startLocalServer({ dataDir });
    try {
      expect(again.listUploads().map((s) => s.upload.id)).toEqual([after.id]);
      await ok(await api(again.url).cancel(after.id));
    } finally {
      await again.close();
    }
  });
});
