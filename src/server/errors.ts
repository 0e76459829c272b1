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

/** The errno codes that mean the disk (or the user's quota on it) is full: 507 Insufficient Storage. */
const FULL_DISK: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
};

/** What failed and what the client should do about it, as a storage error's message says. */
export interface StorageFailure {
  /** What the server was doing, after "could not": `store the part`. */
  action: string;
  /** The directory the failure happened in: the data dir. */
  dir: string;
  /** What the client should do once the disk is fixed, after "and": `send the part again`. */
  retry: string;
  /** Extra response headers, such as `connection: close` when the request body was not read to its end. */
  headers?: Record<string, string>;
}

/**
 * The answer to a failure of the disk under the data dir (a write, an fsync, a rename): 507
 * for a full disk or quota, whose cure is on the server's side and which a client should not
 * retry at once, 500 for anything else. The message names the errno and the directory, so
 * whoever runs the server knows what to fix.
 */
export function storageError(error: unknown, failure: StorageFailure): ApiError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const full = code === undefined ? undefined : FULL_DISK[code];
  const headers = failure.headers ?? {};
  if (full) {
    return new ApiError(
      507,
      `The local server could not ${failure.action}: ${full} (${code}) in ${failure.dir}. Free space there and ${failure.retry}.`,
      { type: "server_error", headers },
    );
  }
  const reason = (error as Error | undefined)?.message ?? String(error);
  return new ApiError(
    500,
    `The local server could not ${failure.action}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ""} in ${failure.dir}. Check that directory (its disk and permissions), then ${failure.retry}.`,
    { type: "server_error", headers },
  );
}
