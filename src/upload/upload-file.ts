import type { UploadsClient } from "../core/client.js";
import { APIError } from "../errors/api-error.js";
import { APIConnectionError, APIUserAbortError } from "../errors/connection.js";
import { CredentialError } from "../errors/credential.js";
import { FileChangedError } from "../errors/file-changed.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { UnexpectedResponseError } from "../errors/unexpected-response.js";
import { UploadFileError } from "../errors/upload-file.js";
import { MAX_UPLOAD_BYTES } from "../limits.js";
import type { RequestIdentified, Upload } from "../types.js";
import { Journal } from "./journal.js";
import { checkUploadOptions, MAX_PARTS, type UploadFileOptions, type UploadSettings } from "./options.js";
import { choosePartSizing, type PlannedPart, partPlan } from "./part-plan.js";
import { withPatience } from "./patience.js";
import type { FileSource, PartData, UploadPlatform, UploadTransport } from "./platform.js";
import { runPool } from "./pool.js";
import { ProgressTracker, type UploadStart } from "./progress.js";
import { parseResume, type UploadResume } from "./resume.js";
import { isByteStream } from "./stream-source.js";

/** The JSON operations of an upload. */
type Operations = UploadTransport["operations"];

/** Everything checked and decided before the first request. */
interface Prepared<Source extends FileSource> {
  source: Source;
  filename: string;
  mimeType: string;
  /** The options, with the concurrency chosen for the file when the caller set none. */
  settings: UploadSettings & { concurrency: number };
  partSize: number;
  /** The upload to continue, from `resume` or the resume store. */
  earlier: UploadResume | undefined;
  origin: UploadStart["origin"];
  /** The upload the resume store held that is given up instead. */
  replaced: UploadStart["replaced"];
  /** The resume store's entry for this upload; undefined without a store, or for a source without a name. */
  journal: Journal | undefined;
}

/** Where an upload that exists on the server can fail: sending its parts, completing it, checking the result. */
export type UploadPhase = "parts" | "complete" | "verify";

/**
 * What a failure after the upload was created means for the caller:
 * - `callback`: `onProgress` threw; cancel, and reject with what it threw;
 * - `abort`: the caller's signal fired; cancel, and reject with `APIUserAbortError`;
 * - `bad-source`: the file changed under us, or a stream is not what was declared (its size,
 *   its chunks); cancel, and reject with that error (`FileChangedError`, `InvalidArgumentError`);
 * - `gone`: the server has no such upload (404: it expired, or the server lost it); a resume cannot help;
 * - `resumable`: leave the upload as it is, and reject with an `UploadFileError` whose `resume` continues it;
 * - `resumable-maybe-completed`: the same, but `completeUpload` got no answer or a 5xx, so the
 *   upload may have completed: a resume completes it if it did not;
 * - `completion-unknown`: the upload may have completed, and the server's answer says nothing
 *   that could be trusted (garbage, another upload, a refused retry); a resume cannot help.
 */
export type FailureVerdict =
  | "callback"
  | "abort"
  | "bad-source"
  | "gone"
  | "resumable"
  | "resumable-maybe-completed"
  | "completion-unknown";

/**
 * Decides what a failure in `phase` means. Past `completeUpload` the upload may be complete on
 * the server: when its answer was lost (no answer at all, a 5xx or 408), which completing again
 * settles, or when it was not this upload (`verify`), garbage, or a refused retry of an attempt
 * that may have been carried out (by this call, or by the earlier one a resume continues), which
 * nothing the client can send settles.
 */
export function classifyFailure(
  phase: UploadPhase,
  error: unknown,
  facts: { aborted: boolean; callbackThrew: boolean; completedBefore?: boolean },
): FailureVerdict {
  if (facts.callbackThrew) return "callback";
  if (facts.aborted) return "abort";
  if (error instanceof FileChangedError || error instanceof InvalidArgumentError) return "bad-source";
  if (phase === "verify") return "completion-unknown";
  if (error instanceof APIError && error.status === 404) return "gone";
  if (phase === "parts") return "resumable";
  // No answer, or a 5xx or 408 (which may also come after the work was done), or a credential
  // that failed before a retry, whose earlier attempt may have done it: completing again settles it.
  const lost =
    error instanceof APIConnectionError ||
    (error instanceof CredentialError && error.mayHaveTakenEffect) ||
    (error instanceof APIError && (error.status >= 500 || error.status === 408));
  if (lost) return "resumable-maybe-completed";
  // Garbage, or a refusal after an attempt (of this call, or of an earlier one this state
  // continues) that may have completed it, most likely as "already completed": nothing settles it.
  const refusedAfterAttempt = error instanceof APIError && (error.mayHaveTakenEffect || facts.completedBefore === true);
  return error instanceof UnexpectedResponseError || refusedAfterAttempt ? "completion-unknown" : "resumable";
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
  const prepared = await prepare(platform, client, options);
  const transport = platform.transport(client, prepared.source, prepared.settings);
  try {
    const state = await createOrResume(transport.operations, prepared, options);
    try {
      options.onStart?.({
        uploadId: state.uploadId,
        expiresAt: state.expiresAt,
        origin: prepared.origin,
        partsDone: state.partIds.filter(Boolean).length,
        partsTotal: state.partIds.length,
        ...(prepared.replaced ? { replaced: prepared.replaced } : {}),
      });
    } catch (error) {
      // Like a throw from onProgress: the upload is not wanted, so it does not stay behind.
      await cancelQuietly(transport.operations, state.uploadId, prepared.settings);
      await prepared.journal?.remove();
      throw error;
    }
    await prepared.journal?.save(state);
    return await transfer(transport, prepared, state, options);
  } finally {
    prepared.journal?.end();
    prepared.source.release();
    transport.close();
  }
}

/**
 * Checks the options, opens the file and finds the upload to continue: every mistake found
 * here is found before any request but the cancel of an upload the resume store gives up.
 */
async function prepare<Source extends FileSource>(
  platform: UploadPlatform<Source>,
  client: UploadsClient,
  options: UploadFileOptions,
): Promise<Prepared<Source>> {
  const settings = checkUploadOptions(options);
  if (options.signal?.aborted) throw new APIUserAbortError();
  const source = await platform.openSource(options.file, { bytes: settings.bytes, md5: settings.md5 });
  if (settings.bytes !== undefined && settings.bytes !== source.size) {
    throw new InvalidArgumentError(
      `bytes is ${settings.bytes}, but ${source.label} holds ${source.size}; leave bytes out for a file or Blob, which knows its size.`,
      { option: "bytes" },
    );
  }
  checkSize(source);
  checkPartCount(source, settings.partSize);
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
  const journal =
    options.resumeStore && source.identity
      ? new Journal(
          options.resumeStore,
          { baseUrl: client.runtime.baseUrl, file: source.identity, purpose: options.purpose, filename, mimeType },
          platform.lease,
        )
      : undefined;
  const given = options.resume === undefined || options.resume === false ? undefined : parseResume(options.resume);
  let earlier = given;
  let replaced: UploadStart["replaced"];
  const stored = given ? undefined : (await journal?.load())?.resume;
  if (stored) {
    const reason = options.resume === false ? "fresh" : unfitness(stored, source, settings.partSize);
    if (reason) {
      const cancelled =
        reason !== "expired" &&
        (await cancelQuietly(client, stored.uploadId, settings, options.signal ? { signal: options.signal } : {}));
      await journal?.forget();
      replaced = { uploadId: stored.uploadId, reason, cancelled };
    } else {
      earlier = stored;
    }
  }
  if (given) checkResume(given, source, settings.partSize);
  const origin: UploadStart["origin"] = given ? "resume" : earlier ? "store" : "created";
  // What the caller left out is chosen for this file; a resume keeps the part size it was cut with.
  const { partSize, concurrency } = choosePartSizing(source.size, {
    partSize: earlier?.partSize ?? settings.partSize,
    concurrency: settings.concurrency,
    stream: isByteStream(options.file),
  });
  return {
    source,
    filename,
    mimeType,
    settings: { ...settings, concurrency },
    partSize,
    earlier,
    origin,
    replaced,
    journal,
  };
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
  { source, settings, partSize, journal }: Prepared<FileSource>,
  state: UploadResume,
  options: UploadFileOptions,
): Promise<Upload & RequestIdentified> {
  const { signal } = options;
  const { uploadId } = state;
  const plan = partPlan(source.size, partSize);
  // One controller stops everything: the caller's abort, or a failure that ends the upload.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  // An abort that came before (from onStart, say) fired no event that could be heard here.
  if (signal?.aborted) onAbort();
  // A throw from onProgress stops the upload like an abort would, and is what the call rejects with.
  const progress = new ProgressTracker(source.size, plan.length, options.onProgress, onAbort);
  for (const part of plan) if (state.partIds[part.index]) progress.done(part.index, part.end - part.start, true);
  const digest = settings.md5 ? source.md5Hex(stop.signal) : undefined;
  digest?.catch(() => {}); // awaited below; a failure before that point must not go unhandled
  const requestOptions = { ...settings.requestOptions, signal: stop.signal };
  // Stops reading the source (a stream that stalls) once a part failed, without cutting off
  // the parts in flight: one that lands still counts for a resume.
  const halt = new AbortController();
  const onStop = () => halt.abort();
  stop.signal.addEventListener("abort", onStop, { once: true });
  const sendWithPatience = (part: PlannedPart, data: PartData) => {
    // Waiting for a slow producer is not the network's fault: its patience starts now.
    progress.touch();
    return withPatience(
      async () => {
        // Checked before every send: a wait for the network can last minutes.
        await source.assertUnchanged();
        return sendPart({
          uploadId,
          part,
          data,
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
  };
  // An earlier call got as far as completing: a refusal to complete now most likely means it did.
  const completedBefore = state.completing === true;
  let phase: UploadPhase = "parts";
  try {
    progress.emit();
    const missing = plan.filter((part) => !state.partIds[part.index]);
    await runPool(missing, settings.concurrency, stop.signal, async (part: PlannedPart) => {
      try {
        const accepted = await sendWithPatience(part, await source.partData(part, halt.signal));
        state.partIds[part.index] = accepted.id;
        progress.done(part.index, part.end - part.start);
        // Before this worker takes another part: a crash loses at most one accepted part per worker.
        await journal?.save(state);
      } catch (error) {
        halt.abort();
        throw error;
      }
    });
    await source.finish(stop.signal);
    const md5 = await digest;
    phase = "complete";
    state.completing = true;
    await journal?.save(state);
    const completed = await client.completeUpload(
      uploadId,
      { part_ids: state.partIds as string[], ...(md5 ? { md5 } : {}) },
      requestOptions,
    );
    phase = "verify";
    checkCompleted(completed, uploadId, source.size);
    await journal?.remove();
    return completed;
  } catch (error) {
    stop.abort();
    const verdict = classifyFailure(phase, error, {
      aborted: signal?.aborted === true,
      callbackThrew: progress.callbackError !== undefined,
      completedBefore,
    });
    const resumable = verdict === "resumable" || verdict === "resumable-maybe-completed";
    if (resumable) await journal?.release();
    else await journal?.remove();
    if (resumable || verdict === "completion-unknown" || verdict === "gone") {
      throw new UploadFileError(state, error, {
        resumable,
        completionUnknown: verdict === "completion-unknown" || verdict === "resumable-maybe-completed",
      });
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
    stop.signal.removeEventListener("abort", onStop);
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

/** A part size that cuts the file into more than {@link MAX_PARTS} parts is refused, naming the smallest that works. */
function checkPartCount(source: FileSource, partSize: number | undefined): void {
  if (partSize === undefined || Math.ceil(source.size / partSize) <= MAX_PARTS) return;
  throw new InvalidArgumentError(
    `partSize ${partSize} cuts ${source.label} (${source.size} bytes) into ${Math.ceil(source.size / partSize)} parts; an upload takes at most ${MAX_PARTS}.`,
    { option: "partSize", remedy: "pass", value: String(Math.ceil(source.size / MAX_PARTS)) },
  );
}

/**
 * Why `resume` cannot continue for `source`: another (or a changed) file, another part size
 * than the caller asks for, or an upload that expired; undefined when it can.
 */
function unfitness(
  resume: UploadResume,
  source: FileSource,
  partSize: number | undefined,
): "file-changed" | "part-size" | "expired" | undefined {
  if (resume.bytes !== source.size || (resume.mtimeMs !== undefined && resume.mtimeMs !== source.mtimeMs)) {
    return "file-changed";
  }
  if (partSize !== undefined && partSize !== resume.partSize) return "part-size";
  return Date.now() >= resume.expiresAt * 1000 ? "expired" : undefined;
}

/** A resume the caller passed must be for this file, unchanged, cut the same way, and not yet expired. */
function checkResume(resume: UploadResume, source: FileSource, partSize: number | undefined): void {
  const restart = { option: "resume", remedy: "omit" } as const;
  switch (unfitness(resume, source, partSize)) {
    case "file-changed":
      throw new InvalidArgumentError(
        `resume is for a ${resume.bytes}-byte file that has changed or is not this one (${source.size} bytes).`,
        restart,
      );
    case "part-size":
      throw new InvalidArgumentError(`resume cut the file into ${resume.partSize}-byte parts.`, {
        option: "partSize",
        remedy: "pass",
        value: String(resume.partSize),
      });
    case "expired":
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
  client: Pick<Operations, "cancelUpload">,
  uploadId: string,
  { requestOptions }: UploadSettings,
  extra: { signal?: AbortSignal } = {},
): Promise<boolean> {
  // The caller's headers go along (a proxy may need them); the retries and wait are kept short.
  return client.cancelUpload(uploadId, { ...requestOptions, maxRetries: 1, timeoutMs: 10_000, ...extra }).then(
    (upload) => upload.status === "cancelled",
    () => false,
  );
}
