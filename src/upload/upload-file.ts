import type { UploadsClient } from "../core/client.js";
import { APIError } from "../errors/api-error.js";
import { APIConnectionError, APIUserAbortError } from "../errors/connection.js";
import { FileChangedError } from "../errors/file-changed.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { UnexpectedResponseError } from "../errors/unexpected-response.js";
import { UploadFileError } from "../errors/upload-file.js";
import { MAX_PART_BYTES, MAX_UPLOAD_BYTES } from "../limits.js";
import type { RequestIdentified, Upload } from "../types.js";
import { checkUploadOptions, type UploadFileOptions, type UploadSettings } from "./options.js";
import { type PlannedPart, partPlan } from "./part-plan.js";
import { withPatience } from "./patience.js";
import type { FileSource, UploadPlatform, UploadTransport } from "./platform.js";
import { runPool } from "./pool.js";
import { ProgressTracker } from "./progress.js";
import { parseResume, type UploadResume } from "./resume.js";

/** The JSON operations of an upload. */
type Operations = UploadTransport["operations"];

/** Everything checked and decided before the first request. */
interface Prepared<Source extends FileSource> {
  source: Source;
  filename: string;
  mimeType: string;
  settings: UploadSettings;
  partSize: number;
  earlier: UploadResume | undefined;
}

/** Where an upload that exists on the server can fail: sending its parts, completing it, checking the result. */
export type UploadPhase = "parts" | "complete" | "verify";

/**
 * What a failure after the upload was created means for the caller:
 * - `callback`: `onProgress` threw; cancel, and reject with what it threw;
 * - `abort`: the caller's signal fired; cancel, and reject with `APIUserAbortError`;
 * - `file-changed`: the file changed under us; cancel, and reject with `FileChangedError`;
 * - `resumable`: leave the upload as it is, and reject with an `UploadFileError` whose `resume` continues it;
 * - `completion-unknown`: the upload may have completed; a resume cannot help.
 */
export type FailureVerdict = "callback" | "abort" | "file-changed" | "resumable" | "completion-unknown";

/**
 * Decides what a failure in `phase` means. Past `completeUpload` the upload may be complete on
 * the server: when its answer was not this upload (`verify`), was garbage, was lost (no
 * answer at all, a 5xx or 408, or a refused retry of an attempt that may have been carried out).
 */
export function classifyFailure(
  phase: UploadPhase,
  error: unknown,
  facts: { aborted: boolean; callbackThrew: boolean },
): FailureVerdict {
  if (facts.callbackThrew) return "callback";
  if (facts.aborted) return "abort";
  if (error instanceof FileChangedError) return "file-changed";
  if (phase === "verify") return "completion-unknown";
  // A 5xx or 408 answer to complete itself may also come after the work was done.
  const lost =
    error instanceof APIConnectionError ||
    error instanceof UnexpectedResponseError ||
    (error instanceof APIError && (error.mayHaveTakenEffect || error.status >= 500 || error.status === 408));
  return phase === "complete" && lost ? "completion-unknown" : "resumable";
}

/**
 * The whole of `uploadFile`, over a platform: check, create (or resume), send the missing
 * parts in parallel, complete with the part ids in file order and the MD5, and check what
 * the server reports.
 */
export async function runUpload<Source extends FileSource>(
  platform: UploadPlatform<Source>,
  client: UploadsClient,
  options: UploadFileOptions,
): Promise<Upload & RequestIdentified> {
  const prepared = await prepare(platform, options);
  const transport = platform.transport(client, prepared.source, prepared.settings);
  try {
    const state = await createOrResume(transport.operations, prepared, options);
    return await transfer(transport, prepared, state, options, platform.md5Hex);
  } finally {
    transport.close();
  }
}

/** Checks the options and opens the file: every mistake found here is found before any request. */
async function prepare<Source extends FileSource>(
  platform: UploadPlatform<Source>,
  options: UploadFileOptions,
): Promise<Prepared<Source>> {
  const settings = checkUploadOptions(options);
  if (options.signal?.aborted) throw new APIUserAbortError();
  const source = await platform.openSource(options.file);
  checkSize(source);
  const filename = options.filename ?? source.name;
  if (!filename)
    throw new InvalidArgumentError("A Blob without a name needs a filename.", { option: "filename", remedy: "pass" });
  const mimeType = options.mimeType ?? source.type ?? platform.mimeTypeFor(filename);
  if (!mimeType) {
    throw new InvalidArgumentError(`Cannot tell the MIME type of ${JSON.stringify(filename)} from its extension.`, {
      option: "mimeType",
      remedy: "pass",
    });
  }
  const earlier = options.resume === undefined ? undefined : parseResume(options.resume);
  if (earlier) checkResume(earlier, source, settings.partSize);
  const partSize = earlier?.partSize ?? settings.partSize ?? MAX_PART_BYTES;
  return { source, filename, mimeType, settings, partSize, earlier };
}

/** The upload to send to: the one a resume names, or a new one. */
async function createOrResume(
  client: Operations,
  { source, filename, mimeType, settings, partSize, earlier }: Prepared<FileSource>,
  options: UploadFileOptions,
): Promise<UploadResume> {
  if (earlier) return { ...earlier, partIds: [...earlier.partIds] };
  const created = await client.createUpload(
    {
      filename,
      purpose: options.purpose,
      bytes: source.size,
      mime_type: mimeType,
      ...(options.expiresAfter ? { expires_after: options.expiresAfter } : {}),
    },
    { ...settings.requestOptions, ...(options.signal ? { signal: options.signal } : {}) },
  );
  return {
    version: 1,
    uploadId: created.id,
    expiresAt: created.expires_at,
    bytes: source.size,
    partSize,
    ...(source.mtimeMs !== undefined ? { mtimeMs: source.mtimeMs } : {}),
    partIds: partPlan(source.size, partSize).map(() => null),
  };
}

/** Sends the missing parts, completes, verifies; on failure, cancels or leaves the upload as the verdict says. */
async function transfer(
  { operations: client, sendPart }: UploadTransport,
  { source, settings, partSize }: Prepared<FileSource>,
  state: UploadResume,
  options: UploadFileOptions,
  md5Hex: UploadPlatform["md5Hex"],
): Promise<Upload & RequestIdentified> {
  const { signal } = options;
  const { uploadId } = state;
  const plan = partPlan(source.size, partSize);
  // One controller stops everything: the caller's abort, or a failure that ends the upload.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  // A throw from onProgress stops the upload like an abort would, and is what the call rejects with.
  const progress = new ProgressTracker(source.size, plan.length, options.onProgress, onAbort);
  for (const part of plan) if (state.partIds[part.index]) progress.done(part.index, part.end - part.start, true);
  const digest = settings.md5 ? md5Hex(source, stop.signal) : undefined;
  digest?.catch(() => {}); // awaited below; a failure before that point must not go unhandled
  const requestOptions = { ...settings.requestOptions, signal: stop.signal };
  let phase: UploadPhase = "parts";
  try {
    progress.emit();
    const missing = plan.filter((part) => !state.partIds[part.index]);
    await runPool(missing, settings.concurrency, stop.signal, async (part: PlannedPart) => {
      const accepted = await withPatience(
        async () => {
          // Checked before every send: a wait for the network can last minutes.
          await source.assertUnchanged();
          return sendPart({
            uploadId,
            part,
            options: requestOptions,
            onBytes: (bytes) => progress.streaming(part.index, bytes),
          });
        },
        {
          budgetMs: settings.networkPatienceMs,
          lastProgressAt: () => progress.lastProgressAt,
          signal: stop.signal,
          waiting: () => progress.waiting(part.index),
        },
      );
      state.partIds[part.index] = accepted.id;
      progress.done(part.index, part.end - part.start);
    });
    const md5 = await digest;
    await source.assertUnchanged();
    phase = "complete";
    const completed = await client.completeUpload(
      uploadId,
      { part_ids: state.partIds as string[], ...(md5 ? { md5 } : {}) },
      requestOptions,
    );
    phase = "verify";
    checkCompleted(completed, uploadId, source.size);
    return completed;
  } catch (error) {
    stop.abort();
    const verdict = classifyFailure(phase, error, {
      aborted: signal?.aborted === true,
      callbackThrew: progress.callbackError !== undefined,
    });
    if (verdict === "resumable" || verdict === "completion-unknown") {
      throw new UploadFileError(state, error, verdict === "completion-unknown");
    }
    const cancelled = await cancelQuietly(client, uploadId, settings);
    if (verdict === "abort") {
      throw new APIUserAbortError(
        `uploadFile was aborted; upload ${uploadId} ` +
          (cancelled
            ? "was cancelled."
            : `could not be cancelled${phase === "parts" ? "" : " and may have completed"}.`),
        { uploadId, cancelled },
      );
    }
    throw verdict === "callback" ? progress.callbackError?.error : error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

function checkSize(source: FileSource): void {
  if (source.size === 0) {
    throw new InvalidArgumentError(`${source.label} is empty; an upload needs at least one byte.`, { option: "file" });
  }
  if (source.size > MAX_UPLOAD_BYTES) {
    throw new InvalidArgumentError(
      `${source.label} is ${source.size} bytes, over the ${MAX_UPLOAD_BYTES} bytes (${MAX_UPLOAD_BYTES / 1024 ** 3} GiB) an upload can hold.`,
      { option: "file" },
    );
  }
}

/** A resume must be for this file, unchanged, cut the same way, and not yet expired. */
function checkResume(resume: UploadResume, source: FileSource, partSize: number | undefined): void {
  const restart = { option: "resume", remedy: "omit" } as const;
  if (resume.bytes !== source.size || (resume.mtimeMs !== undefined && resume.mtimeMs !== source.mtimeMs)) {
    throw new InvalidArgumentError(
      `resume is for a ${resume.bytes}-byte file that has changed or is not this one (${source.size} bytes).`,
      restart,
    );
  }
  if (partSize !== undefined && partSize !== resume.partSize) {
    throw new InvalidArgumentError(`resume cut the file into ${resume.partSize}-byte parts.`, {
      option: "partSize",
      remedy: "pass",
      value: String(resume.partSize),
    });
  }
  if (Date.now() >= resume.expiresAt * 1000) {
    throw new InvalidArgumentError(
      `upload ${resume.uploadId} expired at ${new Date(resume.expiresAt * 1000).toISOString()}: uploads last an hour.`,
      restart,
    );
  }
}

/**
 * "Verifying what arrived": the server must report this upload completed, of exactly our size,
 * with its File. The runtime already refuses an answer about another upload (the spec's
 * `x-echo` on completeUpload); the id is checked here too because this verdict is the upload's
 * own, whatever the spec's extensions say.
 */
function checkCompleted(upload: Upload, uploadId: string, size: number): void {
  if (upload.id !== uploadId || upload.status !== "completed" || upload.bytes !== size || !upload.file) {
    throw new Error(
      `the upload came back as ${upload.id}, ${upload.status} with ${upload.bytes} bytes${upload.file ? "" : " and no file"}, not ${uploadId} completed with ${size}`,
    );
  }
}

/**
 * Cancels an upload that will not be completed; a failure here must not hide the real error.
 * Resolves to whether the server reports the upload cancelled.
 */
async function cancelQuietly(
  client: Operations,
  uploadId: string,
  { requestOptions }: UploadSettings,
): Promise<boolean> {
  // The caller's headers go along (a proxy may need them); the retries and wait are kept short.
  return client.cancelUpload(uploadId, { ...requestOptions, maxRetries: 1, timeoutMs: 10_000 }).then(
    (upload) => upload.status === "cancelled",
    () => false,
  );
}
