import type { UploadsClient } from "../core/client.js";
import { mayHaveTakenEffect } from "../core/invoke.js";
import { MAX_PART_BYTES, MAX_UPLOAD_BYTES } from "../core/limits.js";
import { APIConnectionError, APIUserAbortError } from "../errors/connection.js";
import { FileChangedError } from "../errors/file-changed.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { UploadFileError } from "../errors/upload-file.js";
import type { RequestIdentified, Upload } from "../types.js";
import { checkUploadOptions, type UploadFileOptions, type UploadSettings } from "./options.js";
import { partPlan } from "./part-plan.js";
import type { UploadPlatform } from "./platform.js";
import { runPool } from "./pool.js";
import { ProgressTracker } from "./progress.js";
import { parseResume, type UploadResume } from "./resume.js";
import type { FileSource, UploadTransport } from "./source.js";

/** Everything checked and decided before the first request. */
interface Prepared {
  source: FileSource;
  filename: string;
  mimeType: string;
  settings: UploadSettings;
  partSize: number;
  earlier: UploadResume | undefined;
}

/**
 * The whole of `uploadFile`, over a platform: check, create (or resume), send the missing
 * parts in parallel, complete with the part ids in file order and the MD5, and check what
 * the server reports.
 */
export async function runUpload(
  platform: UploadPlatform,
  client: UploadsClient,
  options: UploadFileOptions,
): Promise<Upload & RequestIdentified> {
  const settings = checkUploadOptions(options);
  if (options.signal?.aborted) throw new APIUserAbortError();
  const source = await platform.openSource(options.file);
  checkSize(source);
  const filename = options.filename ?? source.name;
  if (!filename) throw new InvalidArgumentError("a Blob without a name needs filename.");
  const mimeType = options.mimeType ?? source.type ?? platform.mimeTypeFor(filename);
  if (!mimeType) {
    throw new InvalidArgumentError(
      `cannot tell the MIME type of ${JSON.stringify(filename)} from its extension; pass mimeType.`,
    );
  }
  const earlier = options.resume === undefined ? undefined : parseResume(options.resume);
  if (earlier) checkResume(earlier, source, settings.partSize);
  const partSize = earlier?.partSize ?? settings.partSize ?? MAX_PART_BYTES;
  const prepared = { source, filename, mimeType, settings, partSize, earlier };

  const transport = platform.transport(client, source, settings.concurrency);
  try {
    return await transfer(transport, prepared, options, platform.md5Hex);
  } finally {
    transport.close();
  }
}

async function transfer(
  transport: UploadTransport,
  { source, filename, mimeType, settings, partSize, earlier }: Prepared,
  options: UploadFileOptions,
  md5Hex: UploadPlatform["md5Hex"],
): Promise<Upload & RequestIdentified> {
  const { signal } = options;
  const client = transport.operations;
  const plan = partPlan(source.size, partSize);
  const requestOptions = { ...settings.requestOptions, ...(signal ? { signal } : {}) };

  let state: UploadResume;
  if (earlier) {
    state = { ...earlier, partIds: [...earlier.partIds] };
  } else {
    const created = await client.createUpload(
      {
        filename,
        purpose: options.purpose,
        bytes: source.size,
        mime_type: mimeType,
        ...(options.expiresAfter ? { expires_after: options.expiresAfter } : {}),
      },
      requestOptions,
    );
    state = {
      version: 1,
      uploadId: created.id,
      expiresAt: created.expires_at,
      bytes: source.size,
      partSize,
      ...(source.mtimeMs !== undefined ? { mtimeMs: source.mtimeMs } : {}),
      partIds: plan.map(() => null),
    };
  }
  const { uploadId } = state;

  // One controller stops everything: the caller's abort, or a failure that ends the upload.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  // A throw from onProgress stops the upload like an abort would, and is what the call rejects with.
  const progress = new ProgressTracker(source.size, plan.length, options.onProgress, onAbort);
  for (const part of plan) if (state.partIds[part.index]) progress.done(part.index, part.end - part.start, true);
  const digest = settings.md5 ? md5Hex(source, stop.signal) : undefined;
  digest?.catch(() => {}); // awaited below; a failure before that point must not go unhandled
  const partOptions = { ...settings.requestOptions, signal: stop.signal };
  let completing = false;
  let completeAnswered = false;
  try {
    progress.emit();
    const missing = plan.filter((part) => !state.partIds[part.index]);
    await runPool(missing, settings.concurrency, stop.signal, async (part) => {
      await source.assertUnchanged();
      const accepted = await transport.sendPart({
        uploadId,
        part,
        options: partOptions,
        onBytes: (bytes) => progress.streaming(part.index, bytes),
      });
      state.partIds[part.index] = accepted.id;
      progress.done(part.index, part.end - part.start);
    });
    const md5 = await digest;
    await source.assertUnchanged();
    completing = true;
    const completed = await client.completeUpload(
      uploadId,
      { part_ids: state.partIds as string[], ...(md5 ? { md5 } : {}) },
      partOptions,
    );
    completeAnswered = true;
    checkCompleted(completed, source.size);
    return completed;
  } catch (error) {
    stop.abort();
    if (progress.callbackError) {
      await cancelQuietly(client, uploadId, settings);
      throw progress.callbackError.error;
    }
    if (signal?.aborted) {
      const cancelled = await cancelQuietly(client, uploadId, settings);
      throw new APIUserAbortError(
        `uploadFile was aborted; upload ${uploadId} ` +
          (cancelled ? "was cancelled." : `could not be cancelled${completing ? " and may have completed" : ""}.`),
      );
    }
    if (error instanceof FileChangedError) {
      await cancelQuietly(client, uploadId, settings);
      throw error;
    }
    // Past completeUpload the upload may be complete on the server, and a resume cannot help:
    // its answer was not this file, or was lost (no answer at all, or a refused retry).
    throw new UploadFileError(
      state,
      error,
      completing && (completeAnswered || error instanceof APIConnectionError || mayHaveTakenEffect(error)),
    );
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

function checkSize(source: FileSource): void {
  const what = source.path ?? source.name ?? "the Blob";
  if (source.size === 0) {
    throw new InvalidArgumentError(`${what} is empty; an upload needs at least one byte.`);
  }
  if (source.size > MAX_UPLOAD_BYTES) {
    throw new InvalidArgumentError(
      `${what} is ${source.size} bytes, over the ${MAX_UPLOAD_BYTES} bytes (8 GiB) an upload can hold.`,
    );
  }
}

/** A resume must be for this file, unchanged, cut the same way, and not yet expired. */
function checkResume(resume: UploadResume, source: FileSource, partSize: number | undefined): void {
  const restart = "Leave resume out to start a new upload.";
  if (resume.bytes !== source.size || (resume.mtimeMs !== undefined && resume.mtimeMs !== source.mtimeMs)) {
    throw new InvalidArgumentError(
      `resume is for a ${resume.bytes}-byte file that has changed or is not this one (${source.size} bytes). ${restart}`,
    );
  }
  if (partSize !== undefined && partSize !== resume.partSize) {
    throw new InvalidArgumentError(
      `resume cut the file into ${resume.partSize}-byte parts; leave partSize out or pass ${resume.partSize}.`,
    );
  }
  if (Date.now() >= resume.expiresAt * 1000) {
    throw new InvalidArgumentError(
      `upload ${resume.uploadId} expired at ${new Date(resume.expiresAt * 1000).toISOString()}: ` +
        `uploads last an hour. ${restart}`,
    );
  }
}

/** "Verifying what arrived": the server must report a completed upload of exactly our size, with its File. */
function checkCompleted(upload: Upload, size: number): void {
  if (upload.status !== "completed" || upload.bytes !== size || !upload.file) {
    throw new Error(
      `the upload came back ${upload.status} with ${upload.bytes} bytes${upload.file ? "" : " and no file"}, not completed with ${size}`,
    );
  }
}

/**
 * Cancels an upload that will not be completed; a failure here must not hide the real error.
 * Resolves to whether the server reports the upload cancelled.
 */
async function cancelQuietly(
  client: UploadTransport["operations"],
  uploadId: string,
  { requestOptions }: UploadSettings,
): Promise<boolean> {
  // The caller's headers go along (a proxy may need them); the retries and wait are kept short.
  return client.cancelUpload(uploadId, { ...requestOptions, maxRetries: 1, timeoutMs: 10_000 }).then(
    (upload) => upload.status === "cancelled",
    () => false,
  );
}
