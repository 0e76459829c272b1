import type { UploadResume } from "../upload/resume.js";
import { encodeResumeToken } from "../upload/resume.js";
import { OpenAIUploadsError } from "./base.js";

/**
 * `uploadFile` failed after the upload was created, and the failure outlived the retries
 * (an API error, a lost connection, a timeout). The upload is left as it is on the server
 * so that `uploadFile(client, { ...sameOptions, resume: error.resume })` can send only the
 * parts it is missing, until the upload expires (`resume.expiresAt`). `cause` holds the
 * underlying error, usually an `APIError` or `APIConnectionError`. When `completionUnknown`
 * is true there is nothing to resume: the upload may have completed.
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
   * call knowing its File: `completeUpload` got no answer, a 5xx or 408, or had a retry refused
   * after such an attempt (which may have completed it), or it answered with a body that is not
   * the spec's or with an upload that is not this file (`cause` says how). Look for the File
   * (by filename) before uploading again; a resume cannot help.
   */
  declare readonly completionUnknown: boolean;

  constructor(resume: UploadResume, cause: unknown, completionUnknown = false) {
    const done = resume.partIds.filter(Boolean).length;
    const expires = new Date(resume.expiresAt * 1000).toISOString();
    const problem =
      `Upload ${resume.uploadId} stopped with ${done} of ${resume.partIds.length} parts sent: ` +
      `${(cause as Error)?.message ?? String(cause)}.`;
    super(
      `${problem} ${
        completionUnknown
          ? "It may have completed on the server: look for its File before uploading again."
          : `Pass \`resume\` to uploadFile to send the rest before ${expires}.`
      }`,
      { cause },
    );
    this.problem = problem;
    this.uploadId = resume.uploadId;
    this.resume = resume;
    this.completionUnknown = completionUnknown;
  }

  /** `resume` as one opaque string, for a command line or an environment variable. */
  get resumeToken(): string {
    return encodeResumeToken(this.resume);
  }
}
