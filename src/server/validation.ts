import type { components } from "../../generated/schema.js";
import { MAX_UPLOAD_BYTES, UPLOAD_PURPOSES } from "../core/limits.js";
import { invalidParam } from "./errors.js";

/** The body of `createUpload`, as the spec defines it. */
export type CreateUploadRequest = components["schemas"]["CreateUploadRequest"];

/** The body of `completeUpload`, as the spec defines it. */
export type CompleteUploadRequest = components["schemas"]["CompleteUploadRequest"];

/** The bounds of `FileExpirationAfter.seconds` in the spec: one hour to 30 days. */
const EXPIRY_SECONDS = { min: 3600, max: 2_592_000 } as const;

type JsonObject = Record<string, unknown>;

/** How a JSON value reads in an error message, so the caller sees what they actually sent. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `a string (${JSON.stringify(value)})`;
  if (typeof value === "number") return `a number (${value})`;
  return `${typeof value === "object" ? "an" : "a"} ${typeof value}`;
}

/** A child's name in messages and `param`: `expires_after.seconds`, the way a caller would write it. */
const paramName = (parent: string | null, key: string) => (parent ? `${parent}.${key}` : key);

function requireObject(value: unknown, param: string | null, schema: string): JsonObject {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as JsonObject;
  const what = param ? `'${param}'` : "The request body";
  throw invalidParam(param, `${what} must be a JSON object (${schema}), but got ${describe(value)}.`);
}

/** The spec's `additionalProperties: false`: an unknown key is rejected rather than silently ignored. */
function rejectUnknownKeys(obj: JsonObject, allowed: readonly string[], parent: string | null, schema: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw invalidParam(
        paramName(parent, key),
        `Unrecognized request argument supplied: '${paramName(parent, key)}'. Remove it: ${schema} accepts only ${allowed.join(", ")}.`,
      );
    }
  }
}

function present(obj: JsonObject, key: string, parent: string | null): unknown {
  if (obj[key] === undefined) {
    throw invalidParam(
      paramName(parent, key),
      `Missing required parameter: '${paramName(parent, key)}'. Add it to the request.`,
    );
  }
  return obj[key];
}

function requireString(obj: JsonObject, key: string, parent: string | null): string {
  const value = present(obj, key, parent);
  if (typeof value === "string") return value;
  throw invalidParam(
    paramName(parent, key),
    `Invalid type for '${paramName(parent, key)}': expected a string, but got ${describe(value)}.`,
  );
}

function requireInteger(obj: JsonObject, key: string, parent: string | null, min: number, max: number): number {
  const param = paramName(parent, key);
  const value = present(obj, key, parent);
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalidParam(param, `Invalid type for '${param}': expected an integer, but got ${describe(value)}.`);
  }
  if (value < min || value > max) {
    throw invalidParam(
      param,
      `Invalid value for '${param}': ${value} is out of range; send an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

function requireOneOf<T extends string>(obj: JsonObject, key: string, parent: string | null, values: readonly T[]): T {
  const value = requireString(obj, key, parent);
  if ((values as readonly string[]).includes(value)) return value as T;
  const param = paramName(parent, key);
  throw invalidParam(
    param,
    `Invalid value for '${param}': ${JSON.stringify(value)}. Use one of: ${values.join(", ")}.`,
  );
}

/**
 * Checks a parsed `createUpload` body against `CreateUploadRequest` exactly: required keys,
 * types, the purpose enum, `bytes` from 0 to 8 GiB, the `expires_after` bounds and no extra
 * keys. Throws a 400 {@link ApiError} naming the first offending parameter.
 */
export function validateCreateUpload(body: unknown): CreateUploadRequest {
  const obj = requireObject(body, null, "CreateUploadRequest");
  rejectUnknownKeys(obj, ["filename", "purpose", "bytes", "mime_type", "expires_after"], null, "CreateUploadRequest");
  const request: CreateUploadRequest = {
    filename: requireString(obj, "filename", null),
    purpose: requireOneOf(obj, "purpose", null, UPLOAD_PURPOSES),
    bytes: requireInteger(obj, "bytes", null, 0, MAX_UPLOAD_BYTES),
    mime_type: requireString(obj, "mime_type", null),
  };
  if (obj.expires_after !== undefined) {
    const expiry = requireObject(obj.expires_after, "expires_after", "FileExpirationAfter");
    rejectUnknownKeys(expiry, ["anchor", "seconds"], "expires_after", "FileExpirationAfter");
    request.expires_after = {
      anchor: requireOneOf(expiry, "anchor", "expires_after", ["created_at"] as const),
      seconds: requireInteger(expiry, "seconds", "expires_after", EXPIRY_SECONDS.min, EXPIRY_SECONDS.max),
    };
  }
  return request;
}

/**
 * Checks a parsed `completeUpload` body against `CompleteUploadRequest`: `part_ids` an array
 * of strings, `md5` an optional string, no extra keys. Whether the ids exist and add up is the
 * store's business, because only it knows the upload's parts.
 */
export function validateCompleteUpload(body: unknown): CompleteUploadRequest {
  const obj = requireObject(body, null, "CompleteUploadRequest");
  rejectUnknownKeys(obj, ["part_ids", "md5"], null, "CompleteUploadRequest");
  const partIds = present(obj, "part_ids", null);
  if (!Array.isArray(partIds)) {
    throw invalidParam(
      "part_ids",
      `Invalid type for 'part_ids': expected an array of part ids, but got ${describe(partIds)}.`,
    );
  }
  partIds.forEach((id, index) => {
    if (typeof id !== "string") {
      throw invalidParam(
        `part_ids[${index}]`,
        `Invalid type for 'part_ids[${index}]': expected a part id string, but got ${describe(id)}.`,
      );
    }
  });
  const request: CompleteUploadRequest = { part_ids: partIds as string[] };
  if (obj.md5 !== undefined) request.md5 = requireString(obj, "md5", null);
  return request;
}
