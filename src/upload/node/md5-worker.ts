/**
 * The MD5 of a file on disk, computed on a worker thread. On the main thread the hashing and
 * the driving of the part uploads' sockets take turns, so their times add up; on a thread of
 * its own the hash runs beside the sending and costs the upload little.
 */
import { Worker } from "node:worker_threads";
import { APIUserAbortError } from "../../errors/connection.js";

/**
 * The worker's code, plain CommonJS for `eval: true`: a worker started from a file URL would
 * need that file to exist beside this one as JavaScript, which it does in the compiled package
 * but not when the TypeScript sources run under a test runner or tsx.
 *
 * One sequential read of the file (mostly from the page cache that the part uploads warm), in
 * synchronous reads on the worker's own thread: asynchronous ones would queue on libuv's pool
 * behind the parts' reads, and the hash waits on every one. One buffer, small enough to stay
 * in the core's cache between the read and the hash.
 *
 * It stops itself when `stop` is set, checked before it opens the file and before every read,
 * closing the file first. It is not terminate()d instead: a worker cut off that way leaves its
 * file open past its end (of 100 terminated just after opening, 97 still had it open when
 * terminate() resolved, and one never closed it).
 * A read error is posted back field by field: the structured clone of an Error drops `code`,
 * `errno`, `syscall` and `path`, which callers of the main-thread read could rely on.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const { closeSync, openSync, readSync } = require("node:fs");
const { createHash } = require("node:crypto");
const { path, chunk, stop } = workerData;
const stopped = () => Atomics.load(stop, 0) !== 0;
let fd;
try {
  if (!stopped()) {
    fd = openSync(path, "r");
    const hash = createHash("md5");
    const buffer = Buffer.allocUnsafe(chunk);
    let position = 0;
    while (!stopped()) {
      const bytesRead = readSync(fd, buffer, 0, chunk, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    const done = fd;
    fd = undefined;
    closeSync(done);
    if (!stopped()) parentPort.postMessage({ hex: hash.digest("hex"), bytes: position });
  }
} catch (error) {
  if (fd !== undefined) {
    try {
      closeSync(fd);
    } catch {}
  }
  const { message, code, errno, syscall, path: errorPath } = error;
  if (!stopped()) parentPort.postMessage({ error: { message, code, errno, syscall, path: errorPath } });
}
`;

/** How many bytes the worker reads at a time: well inside a core's L2 cache; 256 KiB-4 MiB measured within 3%, this at the fast end. */
const CHUNK = 512 * 1024;

/** A file's MD5 and how many bytes were hashed, for the caller to hold against the size it expects. */
export interface FileMd5 {
  /** Lowercase hex MD5 of the bytes read. */
  hex: string;
  /** How many bytes the file held when read to its end. */
  bytes: number;
}

type Reply =
  | { hex: string; bytes: number; error?: undefined }
  | { error: { message?: string; code?: string; errno?: number; syscall?: string; path?: string } };

/**
 * Reads the file at `path` to its end on a new worker thread and hashes it. Rejects with
 * `APIUserAbortError` once `signal` fires, at once: the worker is told to stop, which it does
 * within a chunk, closing the file. Rejects with an Error carrying the read's `code`, `errno`,
 * `syscall` and `path` (as node:fs gives them) when the file cannot be read. Resolves to
 * undefined when the thread itself fails (none can be started under a permission model that
 * forbids them, or it ran out of memory): the caller then hashes on its own thread, since
 * that is no fault of the file.
 *
 * The worker holds the event loop open while it works, since an upload awaits this digest
 * after its last part, when nothing else may. It ends by itself once it has answered; once
 * aborted it is unref'd, so that the little it has left to do never keeps a process alive.
 */
export function hashFileInWorker(path: string, signal: AbortSignal): Promise<FileMd5 | undefined> {
  if (signal.aborted) return Promise.reject(new APIUserAbortError());
  const stop = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker;
  try {
    // No execArgv: the code needs only built-ins, so a loader the process runs under (tsx, a
    // test runner's) would only slow the worker's start.
    worker = new Worker(WORKER_CODE, { eval: true, execArgv: [], workerData: { path, chunk: CHUNK, stop } });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise<FileMd5 | undefined>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      outcome();
    };
    const onAbort = () =>
      settle(() => {
        Atomics.store(stop, 0, 1);
        worker.unref();
        reject(new APIUserAbortError());
      });
    signal.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (reply: Reply) => {
      if (reply.error === undefined) settle(() => resolve({ hex: reply.hex, bytes: reply.bytes }));
      else settle(() => reject(readError(reply.error)));
    });
    // The thread failed, not the read (whose errors come as a message): no answer from it.
    worker.on("error", () => settle(() => resolve(undefined)));
    worker.on("exit", () => settle(() => resolve(undefined)));
  });
}

/** The worker's read error as node:fs would have thrown it on this thread: an Error with the same fields. */
function readError(fields: Extract<Reply, { error: object }>["error"]): Error {
  const error = new Error(fields.message ?? "the file could not be read") as NodeJS.ErrnoException;
  for (const key of ["code", "errno", "syscall", "path"] as const) {
    if (fields[key] !== undefined) Object.assign(error, { [key]: fields[key] });
  }
  return error;
}
