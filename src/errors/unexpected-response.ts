import { OpenAIUploadsError } from "./base.js";

/** The facts of an {@link UnexpectedResponseError}. */
export interface UnexpectedResponseFacts {
  /** See {@link UnexpectedResponseError.operationId}. */
  operationId: string;
  /** See {@link UnexpectedResponseError.status}. */
  status: number;
  /** See {@link UnexpectedResponseError.requestId}. */
  requestId: string | undefined;
  /** See {@link UnexpectedResponseError.pointer}. */
  pointer: string;
  /** See {@link UnexpectedResponseError.problem}. */
  problem: string;
  /** See {@link UnexpectedResponseError.body}. */
  body: unknown;
}

/**
 * The server answered 2xx with a body that is not what the spec says: not JSON (a proxy's or
 * captive portal's HTML), empty, cut short, over the size any answer has, missing a field or
 * with one of the wrong type, or about another resource than the one the request named.
 * Never retried: a 2xx means the request may have taken effect, and a retried create would
 * make another upload.
 */
export class UnexpectedResponseError extends OpenAIUploadsError {
  /** Always `"UnexpectedResponseError"`, spelled out so it survives minification. */
  override name = "UnexpectedResponseError";
  /** The operation whose answer this was: `createUpload`. */
  declare readonly operationId: string;
  /** The HTTP status (a 2xx). */
  declare readonly status: number;
  /** The `x-request-id` of the response, when the server sent one. */
  declare readonly requestId: string | undefined;
  /** JSON pointer of what is wrong in the body, such as `/id`; `""` when the body as a whole is wrong. */
  declare readonly pointer: string;
  /** What is wrong, in words: `/id is missing`. */
  declare readonly problem: string;
  /** The body as received: parsed JSON, else its text; undefined when it was too large to keep. */
  declare readonly body: unknown;

  constructor(facts: UnexpectedResponseFacts) {
    super(
      `${facts.operationId} got a ${facts.status} answer that ${facts.problem}` +
        (facts.requestId ? ` [request id ${facts.requestId}]` : ""),
    );
    Object.assign(this, facts);
  }
}
