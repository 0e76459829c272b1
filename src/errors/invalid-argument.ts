import { OpenAIUploadsError } from "./base.js";

/**
 * A caller's mistake found before any request was sent: a missing API key, a bad base
 * URL, an empty upload id. The message says what was wrong and how to fix it.
 */
export class InvalidArgumentError extends OpenAIUploadsError {
  /** Always `"InvalidArgumentError"`, spelled out so it survives minification. */
  override name = "InvalidArgumentError";
}
