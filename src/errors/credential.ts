import { OpenAIUploadsError } from "./base.js";

/**
 * A credential function (`apiKey` as a function, or `azureADTokenProvider`) threw, or gave
 * something that is not a key or token, when a request asked it for one. The request was not
 * sent; it is not retried. The message names the option and what was wrong, never the value
 * it gave; `cause` is what the function threw, if it threw.
 */
export class CredentialError extends OpenAIUploadsError {
  /** Always `"CredentialError"`, spelled out so it survives minification. */
  override name = "CredentialError";
  /** The option whose function failed: `apiKey` or `azureADTokenProvider`. */
  declare readonly option: string;

  constructor(option: string, problem: string, options?: { cause?: unknown }) {
    super(`${option} ${problem}`, options);
    this.option = option;
  }
}
