import type { components } from "../../generated/schema.js";
import { OpenAIUploadsError } from "./base.js";

/** The `error` object of an OpenAI error response. */
export type ErrorBody = components["schemas"]["Error"];

/**
 * The API answered with a non-2xx status. Subclasses name the common statuses, so callers
 * can `catch (e) { if (e instanceof RateLimitError) ... }`. The message carries the request
 * id to quote in a support ticket.
 */
export class APIError extends OpenAIUploadsError {
  // Fields are `declare`d and set in the constructor: the same object, without a class-field
  // declaration for each in every bundle.
  /** Always `"APIError"`, spelled out so it survives minification. */
  override name = "APIError";
  /** The HTTP status. */
  declare readonly status: number;
  /** The `x-request-id` of the response, when the server sent one. */
  declare readonly requestId: string | undefined;
  /** The parsed `error` object of the body, when the body was OpenAI's error shape. */
  declare readonly error: ErrorBody | undefined;
  /** The response headers. */
  declare readonly headers: Headers;
  /** The whole response body as parsed (JSON, else text); for bodies in other shapes, such as a proxy's or a mock's. */
  declare readonly body: unknown;
  /** How many attempts the call made, this answer's included. */
  declare readonly attempts: number;
  /**
   * True when an earlier attempt failed in a way that may still have been carried out (no
   * answer, a timeout, a 408 or 5xx), so this refusal may be because it was: a `completeUpload`
   * refused as already completed, say.
   */
  declare readonly mayHaveTakenEffect: boolean;

  constructor(status: number, body: unknown, headers: Headers, history: AttemptHistory = ONE_ATTEMPT) {
    const error = errorBody(body);
    const requestId = headers.get("x-request-id") ?? undefined;
    super(`${status} ${error?.message ?? describeBody(body)}${requestId ? ` [request id ${requestId}]` : ""}`);
    this.status = status;
    this.requestId = requestId;
    this.error = error;
    this.headers = headers;
    this.body = body;
    this.attempts = history.attempts;
    this.mayHaveTakenEffect = history.mayHaveTakenEffect;
  }
}

/** What the attempts before the answer that became an {@link APIError} were. */
export interface AttemptHistory {
  /** How many attempts the call made, the last one's answer included. */
  attempts: number;
  /** Whether an earlier attempt may have been carried out: see {@link APIError.mayHaveTakenEffect}. */
  mayHaveTakenEffect: boolean;
}

const ONE_ATTEMPT: AttemptHistory = { attempts: 1, mayHaveTakenEffect: false };

const MAX_DETAIL = 500;

/**
 * A message for a body that is not OpenAI's error shape: its own message or problem title
 * (RFC 9457 bodies, as gateways and Prism send), with Prism's list of violations when there
 * is one; else the body itself, cut short.
 */
function describeBody(body: unknown): string {
  if (typeof body === "string") return body.trim().slice(0, MAX_DETAIL) || "(empty body)";
  if (body === null || body === undefined) return "(empty body)";
  const fields = body as { message?: unknown; title?: unknown; detail?: unknown; validation?: unknown };
  const text = [fields.message, fields.title, fields.detail].find((value) => typeof value === "string" && value);
  const violations = Array.isArray(fields.validation)
    ? fields.validation.map((v: { location?: unknown; message?: unknown }) =>
        [Array.isArray(v?.location) ? v.location.join(".") : "", v?.message].filter(Boolean).join(" "),
      )
    : [];
  const described = [typeof text === "string" ? text : "", ...violations].filter(Boolean).join("; ");
  return (described || JSON.stringify(body)).slice(0, MAX_DETAIL);
}

function errorBody(body: unknown): ErrorBody | undefined {
  const error = (body as { error?: unknown } | null)?.error;
  return error && typeof error === "object" && typeof (error as ErrorBody).message === "string"
    ? (error as ErrorBody)
    : undefined;
}

/** 400: the request was malformed or not allowed in the upload's current state. */
export class BadRequestError extends APIError {
  /** Always `"BadRequestError"`, spelled out so it survives minification. */
  override name = "BadRequestError";
}
/** 401: the API key is missing, wrong or revoked. */
export class AuthenticationError extends APIError {
  /** Always `"AuthenticationError"`, spelled out so it survives minification. */
  override name = "AuthenticationError";
}
/** 403: the key may not use this resource. */
export class PermissionDeniedError extends APIError {
  /** Always `"PermissionDeniedError"`, spelled out so it survives minification. */
  override name = "PermissionDeniedError";
}
/** 404: no such upload (or route). */
export class NotFoundError extends APIError {
  /** Always `"NotFoundError"`, spelled out so it survives minification. */
  override name = "NotFoundError";
}
/** 409: the request conflicts with another one in flight. Retried by default. */
export class ConflictError extends APIError {
  /** Always `"ConflictError"`, spelled out so it survives minification. */
  override name = "ConflictError";
}
/** 422: the body was well-formed but its values were rejected. */
export class UnprocessableEntityError extends APIError {
  /** Always `"UnprocessableEntityError"`, spelled out so it survives minification. */
  override name = "UnprocessableEntityError";
}
/** 429: a rate limit was hit. Retried by default, after `retry-after-ms` or `Retry-After`. */
export class RateLimitError extends APIError {
  /** Always `"RateLimitError"`, spelled out so it survives minification. */
  override name = "RateLimitError";
}
/** 500 and above: the server failed. Retried by default. */
export class InternalServerError extends APIError {
  /** Always `"InternalServerError"`, spelled out so it survives minification. */
  override name = "InternalServerError";
}

const BY_STATUS: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** Builds the APIError subclass that matches a response's status. */
export function apiErrorFor(status: number, body: unknown, headers: Headers, history?: AttemptHistory): APIError {
  const ErrorClass = status >= 500 ? InternalServerError : (BY_STATUS[status] ?? APIError);
  return new ErrorClass(status, body, headers, history);
}
