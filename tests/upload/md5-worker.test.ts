import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdir, readdir, readlink, rm } from "node:fs/promises";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it, vi } from "vitest";
import { APIUserAbortError, FileChangedError, uploadFile } from "../../src/index.js";
import { fileMd5Hex, md5HereOf, WORKER_MD5_MIN_BYTES } from "../../src/upload/node/md5.js";
import { hashFileInWorker } from "../../src/upload/node/md5-worker.js";
import { tempDir } from "../support/temp.js";
import { clientFor, randomFile, server } from "./support.js";

const MiB = 1024 * 1024;
const md5Of = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");
const dir = await tempDir("md5-worker-test-");
const live = () => new AbortController().signal;
// One file a little past the threshold, shared: files that size are slow to make.
const big = await randomFile(WORKER_MD5_MIN_BYTES + 65_537);

/** Every worker thread started from now on, and a wait for all of them to have stopped. */
function watchWorkers() {
  // Each worker has its listeners attached through `on` as it starts: its `this` is the worker.
  const spy = vi.spyOn(Worker.prototype, "on");
  const workers = () => [...new Set(spy.mock.contexts as Worker[])];
  return {
    count: () => workers().length,
    // threadId turns -1 once the thread no longer runs, which may come before its "exit" event.
    stopped: () => Promise.all(workers().map((worker) => (worker.threadId === -1 ? undefined : once(worker, "exit")))),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The fields a caller of the main-thread read could look at, to compare one failure with another. */
async function failureOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (caught: NodeJS.ErrnoException) => caught,
  );
  const { name, message, code, errno, syscall, path } = error;
  return { type: error.constructor, name, message, code, errno, syscall, path };
}

describe("the MD5 worker", () => {
  it.each([0, 1, 3, 1_000_003, 4 * MiB + 1])("hashes %i bytes as node:crypto does", async (size) => {
    const file = await randomFile(size);
    await expect(hashFileInWorker(file.path, live())).resolves.toEqual({ hex: md5Of(file.bytes), bytes: size });
  });

  it.each([
    ["below the threshold", WORKER_MD5_MIN_BYTES - 1],
    ["at the threshold", WORKER_MD5_MIN_BYTES],
    ["above the threshold, odd", big.bytes.length],
  ])("fileMd5Hex %s (%i bytes) equals node:crypto's", async (_, size) => {
    const file = size === big.bytes.length ? big : await randomFile(size);
    const workers = watchWorkers();
    await expect(fileMd5Hex(file.path, size, live())).resolves.toBe(md5Of(file.bytes));
    // Only files from the threshold up go to a worker, which ends once it has answered.
    expect(workers.count()).toBe(size >= WORKER_MD5_MIN_BYTES ? 1 : 0);
    await workers.stopped();
  });

  it("stops the worker and rejects with APIUserAbortError on abort", async () => {
    const workers = watchWorkers();
    const controller = new AbortController();
    const hashing = fileMd5Hex(big.path, big.bytes.length, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(hashing).rejects.toThrow(APIUserAbortError);
    expect(workers.count()).toBe(1);
    // The thread has stopped: nothing of it is left to hold the process open.
    await workers.stopped();
  });

  describe.skipIf(process.platform !== "linux")("on Linux, from /proc", () => {
    // This process's descriptors open on `path`: the worker thread's are among them.
    const openOn = async (path: string) => {
      const fds = await readdir("/proc/self/fd");
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => "")));
      return targets.filter((target) => target === path).length;
    };

    it("closes the file of a worker stopped mid-read", async () => {
      const workers = watchWorkers();
      const controller = new AbortController();
      const hashing = fileMd5Hex(big.path, big.bytes.length, controller.signal);
      await vi.waitFor(async () => expect(await openOn(big.path)).toBe(1), { interval: 1 });
      controller.abort();
      await expect(hashing).rejects.toThrow(APIUserAbortError);
      await workers.stopped();
      expect(await openOn(big.path)).toBe(0);
    });

    it("leaves no descriptor open whenever the abort comes: before the thread starts, during open, mid-read", async () => {
      const workers = watchWorkers();
      for (const delayMs of [0, 1, 2, 3, 5, 8, 12, 20, 30, 45, 70, 100]) {
        const controller = new AbortController();
        const hashing = fileMd5Hex(big.path, big.bytes.length, controller.signal);
        setTimeout(() => controller.abort(), delayMs);
        await hashing.catch(() => {});
      }
      await workers.stopped();
      expect(workers.count()).toBe(12);
      expect(await openOn(big.path)).toBe(0);
    });
  });

  it("starts no worker when the signal has already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const workers = watchWorkers();
    await expect(fileMd5Hex(big.path, big.bytes.length, controller.signal)).rejects.toThrow(APIUserAbortError);
    expect(workers.count()).toBe(0);
  });

  it("rejects with FileChangedError when the file no longer has its size", async () => {
    await expect(fileMd5Hex(big.path, big.bytes.length - 1, live())).rejects.toThrow(FileChangedError);
  });

  // fileMd5Hex goes by the size it is told, so the failures below take a worker without a big file.
  it("gives a removed file's error as the main-thread read does", async () => {
    const file = await randomFile(10);
    await rm(file.path);
    const here = await failureOf(md5HereOf(file.path, live()));
    expect(here.code).toBe("ENOENT");
    expect(await failureOf(fileMd5Hex(file.path, WORKER_MD5_MIN_BYTES, live()))).toEqual(here);
  });

  it("gives an unreadable file's error as the main-thread read does", async () => {
    // A directory opens but cannot be read (EISDIR), whoever runs the test.
    const directory = join(dir, "a-directory");
    await mkdir(directory);
    const here = await failureOf(md5HereOf(directory, live()));
    expect(here.code).toBe("EISDIR");
    expect(await failureOf(fileMd5Hex(directory, WORKER_MD5_MIN_BYTES, live()))).toEqual(here);
  });
});

describe("uploadFile's MD5 from a worker", () => {
  it("is sent with the complete call", async () => {
    const local = await server();
    const bodies: string[] = [];
    const client = clientFor(local.url, "node:http", {
      fetch: async (request) => {
        if (request.url.endsWith("/complete")) bodies.push(await request.clone().text());
        return fetch(request);
      },
    });
    const workers = watchWorkers();
    await uploadFile(client, { file: big.path, purpose: "batch", mimeType: "text/plain" });
    expect(JSON.parse(bodies[0] ?? "{}").md5).toBe(md5Of(big.bytes));
    expect(workers.count()).toBe(1);
  });

  it("is stopped when the upload fails, so it does not outlive it", async () => {
    const local = await server();
    const client = clientFor(local.url, "fetch", {
      maxRetries: 0,
      fetch: async (request) =>
        request.url.endsWith("/parts") ? Response.json({ error: { message: "no" } }, { status: 400 }) : fetch(request),
    });
    const workers = watchWorkers();
    await expect(
      uploadFile(client, { file: big.path, purpose: "batch", mimeType: "text/plain", networkPatienceMs: 0 }),
    ).rejects.toThrow();
    expect(workers.count()).toBe(1);
    await workers.stopped();
  });
});

describe("without a worker thread", () => {
  afterEach(() => {
    vi.doUnmock("node:worker_threads");
    vi.resetModules();
  });

  it.each([
    ["none can be started", "throw"],
    ["the thread fails", "error"],
  ] as const)("fileMd5Hex hashes on this thread when %s", async (_, failure) => {
    vi.resetModules();
    vi.doMock("node:worker_threads", async () => {
      const { EventEmitter } = await import("node:events");
      class FailingWorker extends EventEmitter {
        constructor() {
          super();
          if (failure === "throw") throw new Error("ERR_ACCESS_DENIED");
          setImmediate(() => this.emit("error", new Error("ERR_WORKER_OUT_OF_MEMORY")));
        }
        unref() {}
      }
      return { Worker: FailingWorker };
    });
    const md5 = await import("../../src/upload/node/md5.js");
    await expect(md5.fileMd5Hex(big.path, big.bytes.length, live())).resolves.toBe(md5Of(big.bytes));
  });
});
