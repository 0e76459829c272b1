import { OpenAIUploadsError } from "./base.js";

/** The request never got a response: DNS, refused or reset connection, TLS. Retried by default. */
export class APIConnectionError extends OpenAIUploadsError {
  /** Always `"APIConnectionError"`, spelled out so it survives minification. */
  override name = "APIConnectionError";
}

/** One attempt took longer than `timeoutMs`. Retried by default. */
export class APIConnectionTimeoutError extends APIConnectionError {
  /** Always `"APIConnectionTimeoutError"`, spelled out so it survives minification. */
  override name = "APIConnectionTimeoutError";

  constructor(timeoutMs: number) {
    super(`Request timed out after ${timeoutMs} ms; raise timeoutMs for slower requests.`);
  }
}

/**
 * The caller's AbortSignal fired. Never retried. From `uploadFile`, after the upload was
 * created, it says which upload and whether cancelling it on the server worked.
 */
export class APIUserAbortError extends OpenAIUploadsError {
  /** Always `"APIUserAbortError"`, spelled out so it survives minification. */
  override name = "APIUserAbortError";
  /** The upload `uploadFile` was sending, when it had created (or resumed) one. */
  declare readonly uploadId: string | undefined;
  /** Whether the server confirmed that upload cancelled; undefined when there was none. */
  declare readonly cancelled: boolean | undefined;

  constructor(
    message = "Request was aborted by the caller's signal.",
    facts: { uploadId?: string; cancelled?: boolean } = {},
  ) {
    super(message);
    this.uploadId = facts.uploadId;
    this.cancelled = facts.cancelled;
  }
}
