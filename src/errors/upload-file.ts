import type { UploadResume } from "../upload/resume.js";
import { encodeResumeToken } from "../upload/resume.js";
import { OpenAIUploadsError } from "./base.js";

/**
 * `uploadFile` failed after the upload was created, and the failure outlived the retries
 * (an API error, a lost connection, a timeout). When `resumable`, the upload is left as it is
 * on the server so that `uploadFile(client, { ...sameOptions, resume: error.resume })` can send
 * only the parts it is missing, until the upload expires (`resume.expiresAt`). `cause` holds
 * the underlying error, usually an `APIError` or `APIConnectionError`. Not resumable: the
 * server no longer has the upload (a 404: upload the file again), or `completionUnknown`.
 */
export class UploadFileError extends OpenAIUploadsError {
  /** Always `"UploadFileError"`, spelled out so it survives minification. */
  override name = "UploadFileError";
  /** What stopped the upload, without the advice of what to do next. */
  declare readonly problem: string;
  /** The id of the upload on the server. */
  declare readonly uploadId: string;
  /** What a later `uploadFile` call needs to continue this upload; plain JSON. */
  declare readonly resume: UploadResume;
  /**
   * True when every part was sent and the upload may have completed on the server without this
   * call knowing its File. With `resumable`, `completeUpload` got no answer, a 5xx or a 408: a
   * resume completes it if it did not (and is refused as already completed if it did). Without,
   * it had a retry refused after such an attempt, or answered with a body that is not the
   * spec's or with an upload that is not this file (`cause` says how): look for the File (by
   * filename) before uploading again.
   */
  declare readonly completionUnknown: boolean;
  /** Whether passing `resume` to `uploadFile` can continue this upload. */
  declare readonly resumable: boolean;

  constructor(
    resume: UploadResume,
    cause: unknown,
    outcome: { resumable: boolean; completionUnknown: boolean } = { resumable: true, completionUnknown: false },
  ) {
    const done = resume.partIds.filter(Boolean).length;
    const expires = new Date(resume.expiresAt * 1000).toISOString();
    const problem =
      `Upload ${resume.uploadId} stopped with ${done} of ${resume.partIds.length} parts sent: ` +
      `${(cause as Error)?.message ?? String(cause)}.`;
    super(`${problem} ${advice(outcome, expires)}`, { cause });
    this.problem = problem;
    this.uploadId = resume.uploadId;
    this.resume = resume;
    this.completionUnknown = outcome.completionUnknown;
    this.resumable = outcome.resumable;
  }

  /** `resume` as one opaque string, for a command line or an environment variable. */
  get resumeToken(): string {
    return encodeResumeToken(this.resume);
  }
}

/** What to do next, by the outcome of the upload. */
function advice({ resumable, completionUnknown }: { resumable: boolean; completionUnknown: boolean }, expires: string) {
  if (resumable) {
    return completionUnknown
      ? `It may have completed on the server: pass \`resume\` to uploadFile to complete it before ${expires}.`
      : `Pass \`resume\` to uploadFile to send the rest before ${expires}.`;
  }
  return completionUnknown
    ? "It may have completed on the server: look for its File before uploading again."
    : "The server no longer has it: upload the file again, without `resume`.";
}
