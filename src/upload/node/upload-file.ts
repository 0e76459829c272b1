import type { UploadsClient } from "../../core/client.js";
import type { RequestIdentified, Upload } from "../../types.js";
import type { UploadFileOptions } from "../options.js";

/**
 * Uploads a file of up to 8 GiB through the Uploads API and resolves with the completed
 * Upload (status `completed`, with its `file`).
 *
 * The file is cut into parts (sized for the file by default: 8 to 64 MiB) that are read from
 * disk as they are sent, `concurrency` (default 8) at a time, so memory stays flat whatever the
 * file's size; a stream of known
 * size (`bytes`) is read in order, holding at most `concurrency + 1` parts. Each part is
 * retried by the client's policy and every retry re-sends the same bytes. With `resumeStore`,
 * a later call (in another process too) continues an upload that was cut off. The part ids go to
 * `completeUpload` in file order with the file's MD5, which the server checks, and the
 * result is checked to be a completed upload of exactly the file's size.
 *
 * Errors: bad options, a missing or unreadable file, an empty file or one over 8 GiB reject
 * with `InvalidArgumentError` before any request. A failure that outlives the retries rejects
 * with `UploadFileError`, whose `resume` continues the same upload when it is `resumable`. A
 * file that changes while it is sent, or a stream that is not `bytes` long, rejects with
 * `FileChangedError`, a stream of text chunks with `InvalidArgumentError`; `signal` rejects with
 * `APIUserAbortError`; in these cases the upload is cancelled on the server.
 *
 * @example
 * const upload = await uploadFile(client, { file: "train.jsonl", purpose: "fine-tune" });
 * console.log(upload.file?.id);
 */
export async function uploadFile(
  client: UploadsClient,
  options: UploadFileOptions,
): Promise<Upload & RequestIdentified> {
  // Loaded on the first upload, so that importing the package does not pay for what sends one.
  const [{ runUpload }, { nodePlatform }] = await Promise.all([import("../upload-file.js"), import("./platform.js")]);
  return runUpload(nodePlatform, client, options);
}
