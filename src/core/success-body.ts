import { UnexpectedResponseError } from "../errors/unexpected-response.js";
import type { OperationSpec, SchemaError } from "./operation.js";

/** How a failed schema keyword reads after its JSON pointer. */
function describe({ keyword, params }: SchemaError): string {
  if (keyword === "required") return "is missing";
  if (keyword === "type") return `is not of type ${params.type}`;
  if (keyword === "enum") return `is not one of ${(params.allowedValues as unknown[]).join(", ")}`;
  return `fails the schema's ${keyword}`;
}

/** The value at a JSON pointer such as `/file/id`; undefined where there is none. */
function valueAt(body: unknown, pointer: string): unknown {
  let node = body;
  for (const token of pointer.split("/").slice(1)) {
    node = (node as Record<string, unknown> | null)?.[token.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

/**
 * Turns the text of a 2xx body into the operation's success body, or throws an
 * `UnexpectedResponseError` saying where it is not: empty, not JSON, not the schema (the
 * validator generated from the spec decides), or about another resource than the path named.
 * The error's facts pass through `redact` first: a body that quotes the request's key back
 * must not put the key in an error.
 */
export function successBody(
  operation: OperationSpec,
  pathParams: Record<string, string>,
  text: unknown,
  response: Response,
  redact: <T>(value: T) => T,
): unknown {
  const unexpected = (problem: string, pointer = "", body: unknown = text) =>
    new UnexpectedResponseError({
      operationId: operation.operationId,
      status: response.status,
      requestId: redact(response.headers.get("x-request-id") ?? undefined),
      pointer: redact(pointer),
      problem: redact(problem),
      body: redact(body),
    });
  const validate = operation.validateSuccess;
  // An operation whose spec declares no JSON body for its success has nothing to check.
  if (!validate) return undefined;
  const expected = `the spec's ${operation.successSchema}`;
  if (typeof text !== "string" || text.trim() === "") throw unexpected(`has an empty body, not ${expected}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Redacted before it is quoted as JSON: a key with a quote or a backslash in it would no
    // longer match once JSON escaped it.
    const start = redact(text).slice(0, 40);
    throw unexpected(`is not JSON (it starts ${JSON.stringify(start)}); is a proxy answering for the API?`);
  }
  if (!validate(body)) {
    const error = validate.errors?.[0];
    const missing = error?.keyword === "required" ? `/${error.params.missingProperty}` : "";
    const pointer = `${error?.instancePath ?? ""}${missing}`;
    throw unexpected(
      `does not match ${expected}: ${pointer || "the body"} ${error ? describe(error) : "is wrong"}`,
      pointer,
      body,
    );
  }
  for (const [param, pointer] of Object.entries(operation.echo)) {
    const value = valueAt(body, pointer);
    if (value !== pathParams[param]) {
      throw unexpected(
        `is about another resource: ${pointer} is ${JSON.stringify(redact(value))}, not the ${JSON.stringify(pathParams[param])} the request named`,
        pointer,
        body,
      );
    }
  }
  return body;
}
