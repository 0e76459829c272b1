import { MAX_UPLOAD_BYTES } from "../../generated/constants.js";
import { requestBodyValidators } from "../../generated/request-validators.js";
import type { operations } from "../../generated/schema.js";
import type { SchemaError } from "../core/operation.js";
import { type ApiError, invalidParam } from "./errors.js";

/** The operations whose request body is JSON, and so checked here. */
export type JsonBodyOperation = keyof typeof requestBodyValidators;

/** The JSON body of an operation, as the spec types it. */
export type RequestBody<Id extends JsonBodyOperation> = NonNullable<
  operations[Id]["requestBody"]
>["content"]["application/json"];

/** How a JSON value reads in an error message, so the caller sees what they actually sent. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `a string (${JSON.stringify(value)})`;
  if (typeof value === "number") return `a number (${value})`;
  return `${typeof value === "object" ? "an" : "a"} ${typeof value}`;
}

/** `/expires_after/seconds` -> `expires_after.seconds`, `/part_ids/1` -> `part_ids[1]`: a parameter as a caller writes it. */
function paramName(instancePath: string, child?: unknown): string {
  const tokens = [...instancePath.split("/").slice(1), ...(child === undefined ? [] : [String(child)])];
  return tokens.reduce(
    (name, token) => (/^\d+$/.test(token) ? `${name}[${token}]` : name ? `${name}.${token}` : token),
    "",
  );
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

/**
 * OpenAI's 400 for the first thing the spec's validator found wrong, naming the parameter.
 * Exported for its tests: a keyword or bound the spec does not use today (a `minLength`, a
 * maximum alone) must still get a message that names the parameter once the spec does.
 */
export function refusal({
  keyword,
  instancePath,
  params,
  parentSchema,
  ...rest
}: SchemaError & { data?: unknown }): ApiError {
  const param = paramName(instancePath);
  const value = rest.data;
  switch (keyword) {
    case "required": {
      const missing = paramName(instancePath, params.missingProperty);
      return invalidParam(missing, `Missing required parameter: '${missing}'. Add it to the request.`);
    }
    case "additionalProperties": {
      const extra = paramName(instancePath, params.additionalProperty);
      const allowed = Object.keys((parentSchema?.properties as object | undefined) ?? {}).join(", ");
      return invalidParam(
        extra,
        `Unrecognized request argument supplied: '${extra}'. Remove it: ${param ? `'${param}'` : "the body"} accepts only ${allowed}.`,
      );
    }
    case "type":
      if (params.type === "object") {
        return invalidParam(
          param || null,
          `${param ? `'${param}'` : "The request body"} must be a JSON object, but got ${describe(value)}.`,
        );
      }
      return invalidParam(
        param,
        `Invalid type for '${param}': expected ${article(String(params.type))}, but got ${describe(value)}.`,
      );
    case "enum":
      return invalidParam(
        param,
        `Invalid value for '${param}': ${JSON.stringify(value)}. Use one of: ${(params.allowedValues as unknown[]).join(", ")}.`,
      );
    case "minimum":
    case "maximum": {
      const { minimum, maximum } = parentSchema as { minimum?: number; maximum?: number };
      const range =
        minimum !== undefined && maximum !== undefined
          ? `from ${minimum} to ${maximum}`
          : minimum !== undefined
            ? `of at least ${minimum}`
            : `of at most ${maximum}`;
      return invalidParam(param, `Invalid value for '${param}': ${value} is out of range; send an integer ${range}.`);
    }
    default:
      return invalidParam(param || null, `Invalid value for '${param || "the body"}': it fails the spec's ${keyword}.`);
  }
}

/**
 * Checks a parsed JSON body against the operation's request schema with the validator
 * generated from the spec (required keys, types, enums, bounds, no unknown keys), and throws
 * a 400 {@link ApiError} naming the first offending parameter.
 */
export function validateBody<Id extends JsonBodyOperation>(operationId: Id, body: unknown): RequestBody<Id> {
  const validate = requestBodyValidators[operationId];
  if (!validate(body)) throw refusal(validate.errors?.[0] as SchemaError);
  return body as RequestBody<Id>;
}

/**
 * The checks of a new upload that the spec's schema does not state, with the 400s the API
 * gives: `bytes` within `x-limits.max_upload_bytes`, which OpenAI states in prose rather than
 * as the schema's maximum, and a `filename` that is not blank (the schema has no `minLength`,
 * and a File needs a name).
 */
export function checkCreateUpload<Request extends { bytes: number; filename: string }>(request: Request): Request {
  if (request.filename.trim() === "") {
    throw invalidParam(
      "filename",
      `Invalid value for 'filename': ${JSON.stringify(request.filename)} is ${request.filename === "" ? "empty" : "only whitespace"}. Send the name the File should get, such as 'data.jsonl'.`,
    );
  }
  if (request.bytes > MAX_UPLOAD_BYTES) {
    throw invalidParam(
      "bytes",
      `Invalid value for 'bytes': ${request.bytes} is out of range; an upload holds at most ${MAX_UPLOAD_BYTES} bytes.`,
    );
  }
  return request;
}
