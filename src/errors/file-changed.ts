import { OpenAIUploadsError } from "./base.js";

/**
 * The file being uploaded changed (its size or modification time, or its bytes could no
 * longer be read as they were) while `uploadFile` was sending it. The upload is cancelled
 * rather than completed with a mix of old and new bytes; upload the file again once it
 * stops changing.
 */
export class FileChangedError extends OpenAIUploadsError {
  /** Always `"FileChangedError"`, spelled out so it survives minification. */
  override name = "FileChangedError";
}
