import type { AttemptHistory } from "./api-error.js";
import { OpenAIUploadsError } from "./base.js";

/**
 * A credential function (`apiKey` as a function, or `azureADTokenProvider`) threw, or gave
 * something that is not a key or token, when a request asked it for one. That request was not
 * sent; it is not retried. The message names the option and what was wrong, never the value
 * it gave; `cause` is what the function threw, if it threw. When it failed before a retry,
 * `attempts` and `mayHaveTakenEffect` say what the attempts before it were.
 */
export class CredentialError extends OpenAIUploadsError {
  /** Always `"CredentialError"`, spelled out so it survives minification. */
  override name = "CredentialError";
  /** The option whose function failed: `apiKey` or `azureADTokenProvider`. */
  declare readonly option: string;
  /** What was wrong, the message without the option's name: `threw; what it threw is the cause.` */
  declare readonly problem: string;
  /** How many attempts the call had sent before the credential failed: 0 when it failed before the first. */
  declare readonly attempts: number;
  /**
   * True when an attempt sent before it failed in a way that may still have been carried out
   * (no answer, a timeout, a 408 or 5xx): a `createUpload` may then have made an upload.
   */
  declare readonly mayHaveTakenEffect: boolean;

  constructor(
    option: string,
    problem: string,
    { cause, history = { attempts: 0, mayHaveTakenEffect: false } }: { cause?: unknown; history?: AttemptHistory } = {},
  ) {
    super(`${option} ${problem}`, cause === undefined ? undefined : { cause });
    Object.assign(this, { option, problem, ...history });
  }
}
