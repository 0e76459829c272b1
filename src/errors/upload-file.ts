import type { UploadResume } from "../upload/resume.js";
import { encodeResumeToken } from "../upload/resume.js";
import { OpenAIUploadsError } from "./base.js";

/**
 * `uploadFile` failed after the upload was created, and the failure outlived the retries
 * (an API error, a lost connection, a timeout). The upload is left as it is on the server
 * so that `uploadFile(client, { ...sameOptions, resume: error.resume })` can send only the
 * parts it is missing, until the upload expires (`resume.expiresAt`). `cause` holds the
 * underlying error, usually an `APIError` or `APIConnectionError`.
 */
export class UploadFileError extends OpenAIUploadsError {
  /** Always `"UploadFileError"`, spelled out so it survives minification. */
  override name = "UploadFileError";
  /** The id of the upload on the server. */
  readonly uploadId: string;
  /** What a later `uploadFile` call needs to continue this upload; plain JSON. */
  readonly resume: UploadResume;

  constructor(resume: UploadResume, cause: unknown) {
    const done = resume.partIds.filter(Boolean).length;
    const expires = new Date(resume.expiresAt * 1000).toISOString();
    super(
      `Upload ${resume.uploadId} stopped with ${done} of ${resume.partIds.length} parts sent: ` +
        `${(cause as Error)?.message ?? String(cause)}. Pass \`resume\` to uploadFile to send the rest before ${expires}.`,
      { cause },
    );
    this.uploadId = resume.uploadId;
    this.resume = resume;
  }

  /** `resume` as one opaque string, for a command line or an environment variable. */
  get resumeToken(): string {
    return encodeResumeToken(this.resume);
  }
}
