import type { RequestOptions } from "../core/options.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { MAX_PART_BYTES, MAX_UPLOAD_BYTES, UPLOAD_PURPOSES } from "../limits.js";
import type { CreateUploadRequest, UploadPurpose } from "../types.js";
import type { ResumeStore } from "./platform.js";
import type { UploadProgress, UploadStart } from "./progress.js";
import type { UploadResume } from "./resume.js";
import { type ByteStream, isByteStream } from "./stream-source.js";

/** What to upload and how. Only `file` and `purpose` are required. */
export interface UploadFileOptions extends Pick<RequestOptions, "maxRetries" | "timeoutMs" | "headers"> {
  /**
   * A path on disk (Node only), a Blob or File, or a stream of bytes (a web `ReadableStream`, a
   * Node `Readable`, an `AsyncIterable<Uint8Array>`) with its size in `bytes` and a `filename`.
   * A path is read part by part, never whole. A stream is read in order, one part at a time:
   * at most `concurrency + 1` parts of it are in memory at once, so that every retry of a part
   * resends the same bytes. With `partSize` or `concurrency` left to the defaults, those hold at
   * most 320 MiB, as the fixed defaults (5 x 64 MiB) did: with both left, 9 parts of at most
   * 35.6 MiB (32 MiB for a stream of 512 MiB).
   */
  file: string | Blob | ByteStream;
  /** The size of a stream in bytes, which the API needs before the first byte; a path or Blob knows its own. */
  bytes?: number | undefined;
  /** What the file is for. */
  purpose: UploadPurpose;
  /** The name the File gets; default the path's base name, or `File.name`. Required for a bare Blob. */
  filename?: string | undefined;
  /** Default: the Blob's own type, else inferred from the filename's extension; an unknown extension is an error. */
  mimeType?: string | undefined;
  /**
   * Bytes per part, 1 to 64 MiB, and no smaller than the file's size / `MAX_PARTS` (10,000
   * parts). Default: chosen for the file, so that every connection stays busy: two parts per
   * connection, size / (2 x concurrency), held between 8 MiB and 64 MiB: a file of up to
   * 8 MiB goes whole in one part, 128 MiB in 16 parts of 8 MiB, 512 MiB in 16 of 32 MiB, 1 GiB
   * and more in 64 MiB parts. For a stream, also at most 320 MiB / (concurrency + 1), which
   * bounds its buffers (35.6 MiB with the default concurrency). Never below what `MAX_PARTS`
   * needs (859 KB for 8 GiB). A resume keeps the part size it started with, whatever the
   * defaults would choose now.
   */
  partSize?: number | undefined;
  /**
   * Parts in flight at once, 1 to 64. Default 8: on a long link each connection carries only
   * so much per round trip, so the number of busy connections decides the speed (see
   * CONTRIBUTING.md's long-link benchmark). For a stream with a `partSize` given (or resumed),
   * at most what keeps (concurrency + 1) x partSize within 320 MiB: 4 for 64 MiB parts.
   */
  concurrency?: number | undefined;
  /** Compute the file's MD5 while sending and have the server check it on completion; default true. */
  md5?: boolean | undefined;
  /** When the resulting File expires, as `createUpload` takes it. */
  expiresAfter?: CreateUploadRequest["expires_after"] | undefined;
  /** Aborts the upload: sending stops, the upload is cancelled on the server, and the call rejects with `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
  /** Called as bytes go out and parts are accepted; the figures never go backwards. */
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  /**
   * `UploadFileError.resume` (or `.resumeToken`) of an earlier call for this file: continues that
   * upload. For a stream, pass a new stream of the same bytes: the parts already sent are read
   * past, not sent again. `false`: with a `resumeStore`, start a new upload even when the store
   * holds one for this file (which is then cancelled).
   */
  resume?: UploadResume | string | false | undefined;
  /**
   * Where the upload's state is kept as it goes (created, each part accepted), so that a later
   * call for the same file (path or File name), purpose, filename, MIME type and server continues
   * it, even after this process was killed: only the parts not yet recorded are sent again (at
   * most `concurrency` of them). The entry is removed once the upload completes, is cancelled or
   * cannot be continued. A file that changed since (size or mtime), or another `partSize`, starts
   * a new upload and cancels the stored one; so does an upload that expired (which needs no
   * cancel). An entry held by a call that still runs is left alone: that call uploads without a
   * store. Only sources that name a file (a path, a File) are kept: a stream or bare Blob has
   * nothing to find it by. A store that fails is given up: the upload goes on without it.
   * `fileResumeStore()` (Node) and `webStorageResumeStore()` ship.
   */
  resumeStore?: ResumeStore | undefined;
  /**
   * Called once the upload exists on the server, before any part is sent: its id, and whether it
   * was resumed. A throw cancels the upload and is what the call rejects with.
   */
  onStart?: ((start: UploadStart) => void) | undefined;
  /**
   * Under Node: a request whose bytes stop moving (none taken by the socket while it is sent,
   * none received once the answer began) for this many milliseconds is dropped and sent again
   * on a new connection, like a lost connection; 1 s to 1 hour, default 60 s. The server's time
   * between the two is left to `timeoutMs`, the limit of a whole attempt. Requests through
   * `fetch` (a client with its own fetch, a browser) have `timeoutMs` alone.
   */
  stallTimeoutMs?: number | undefined;
  /**
   * How long parts keep being sent again, after connection errors, timeouts, stalls, 429s and
   * 5xx, while no byte of the upload gets through, before the upload stops with a resume; 0 to
   * 1 hour, default 5 minutes. An outage shorter than this is ridden out. Each attempt still
   * has the client's own retries.
   */
  networkPatienceMs?: number | undefined;
}

/** The options after defaults and range checks. */
export interface UploadSettings {
  bytes: number | undefined;
  /** The caller's; undefined: chosen for the file (`choosePartSizing`), or kept from the resumed upload. */
  partSize: number | undefined;
  /** The caller's; undefined: chosen for the file (`choosePartSizing`) once its size is known. */
  concurrency: number | undefined;
  stallTimeoutMs: number;
  networkPatienceMs: number;
  md5: boolean;
  requestOptions: Pick<RequestOptions, "maxRetries" | "timeoutMs" | "headers">;
}

/**
 * The most parts `uploadFile` cuts a file into. The API states no such bound, but its complete
 * body lists every part id (10,000 of them are ~350 KB), and 10,000 is where S3's and Google
 * Cloud Storage's multipart uploads stop: a part size that needs more is refused before any
 * request, naming the smallest that works. An 8 GiB file needs parts of at least 859 KB.
 */
export const MAX_PARTS = 10_000;

/** How long a request's bytes may stand still before it is sent again, by default. */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
const DEFAULT_NETWORK_PATIENCE_MS = 5 * 60_000;
const MAX_CONCURRENCY = 64;

function integerIn(name: string, value: number | undefined, min: number, max: number) {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got ${value}.`, {
      option: name,
    });
  }
  return value;
}

/** Checks everything that can be checked without touching the file or the network. */
export function checkUploadOptions(options: UploadFileOptions): UploadSettings {
  if (options === null || typeof options !== "object") {
    throw new InvalidArgumentError("uploadFile needs options: { file, purpose }.");
  }
  const { file } = options;
  if (!(typeof file === "string" ? file !== "" : file instanceof Blob || isByteStream(file))) {
    throw new InvalidArgumentError("file must be a path, a Blob (a File, say) or a stream of bytes.", {
      option: "file",
    });
  }
  if (isByteStream(file) && options.filename === undefined) {
    throw new InvalidArgumentError("A stream has no name to give the File.", { option: "filename", remedy: "pass" });
  }
  if (!(UPLOAD_PURPOSES as readonly string[]).includes(options.purpose)) {
    throw new InvalidArgumentError(
      `purpose ${JSON.stringify(options.purpose)} is not one the API accepts; use one of ${UPLOAD_PURPOSES.join(", ")}.`,
      { option: "purpose" },
    );
  }
  for (const name of ["filename", "mimeType"] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== "string" || value.trim() === "")) {
      throw new InvalidArgumentError(`${name} must be a non-empty string when given.`, { option: name });
    }
  }
  return {
    bytes: integerIn("bytes", options.bytes, 1, MAX_UPLOAD_BYTES),
    partSize: integerIn("partSize", options.partSize, 1, MAX_PART_BYTES),
    concurrency: integerIn("concurrency", options.concurrency, 1, MAX_CONCURRENCY),
    stallTimeoutMs: integerIn("stallTimeoutMs", options.stallTimeoutMs, 1000, 3_600_000) ?? DEFAULT_STALL_TIMEOUT_MS,
    networkPatienceMs:
      integerIn("networkPatienceMs", options.networkPatienceMs, 0, 3_600_000) ?? DEFAULT_NETWORK_PATIENCE_MS,
    md5: options.md5 ?? true,
    requestOptions: {
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    },
  };
}
