import type { components } from "../../generated/schema.js";

/** The body of every error response, as the spec's `ErrorResponse` describes it. */
export type ErrorResponse = components["schemas"]["ErrorResponse"];

/** The optional parts of an {@link ApiError}. */
export interface ApiErrorDetails {
  /** OpenAI's error category; requests are the caller's fault unless said otherwise. */
  type?: string;
  /** The request parameter at fault, so a client can point at the field to fix. */
  param?: string | null;
  /** A machine-readable code, for the few errors OpenAI gives one. */
  code?: string | null;
  /** Extra response headers, such as `retry-after-ms` on an injected 429. */
  headers?: Record<string, string>;
}

/**
 * An error the local server answers with: the HTTP status plus OpenAI's
 * `{"error": {message, type, param, code}}` body. Handlers throw it from any depth, and the
 * HTTP layer is the only place that turns it into a response.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    message: string,
    details: ApiErrorDetails = {},
  ) {
    super(message);
    this.type = details.type ?? "invalid_request_error";
    this.param = details.param ?? null;
    this.code = details.code ?? null;
    this.headers = details.headers ?? {};
  }

  /** The JSON body to send. */
  toBody(): ErrorResponse {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A 400 about one request parameter: the most common error, so it gets a short form. */
export function invalidParam(param: string | null, message: string): ApiError {
  return new ApiError(400, message, { param });
}
