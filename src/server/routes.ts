import { type OperationId, operations } from "../../generated/operations.js";
import { ApiError } from "./errors.js";

/** The operation a request's method and path name, with its path parameters by name. */
export interface Route {
  operationId: OperationId;
  params: Record<string, string>;
}

/**
 * Each operation's path as a pattern. `/v1` is optional: clients call the server at its `/v1`
 * URL like the real API, while Prism's proxy forwards the spec's paths without the base path.
 */
const TEMPLATES = Object.values(operations).map((op) => ({
  operationId: op.operationId,
  method: op.method,
  names: op.pathParams,
  pattern: new RegExp(`^(?:/v1)?${op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "([^/]+)")}$`),
}));

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/**
 * The operation a request's method and path (without query string) name, from the spec's
 * operation table. Throws a 404 {@link ApiError} for a path the spec does not have, and a 405
 * with `Allow` for a method the path does not take.
 */
export function route(method: string | undefined, pathname: string): Route {
  const matching = TEMPLATES.filter((t) => t.pattern.test(pathname));
  if (matching.length === 0) {
    const known = Object.values(operations).map((op) => `${op.method} /v1${op.path}`);
    throw new ApiError(404, `Invalid URL (${method} ${pathname}). This server has ${known.join(", ")}.`);
  }
  const target = matching.find((t) => t.method === method);
  if (!target) {
    const allowed = matching.map((t) => t.method).join(", ");
    throw new ApiError(405, `Method ${method} is not allowed on ${pathname}; use ${allowed}.`, {
      headers: { allow: allowed },
    });
  }
  const values = target.pattern.exec(pathname)?.slice(1) ?? [];
  return {
    operationId: target.operationId,
    params: Object.fromEntries(target.names.map((name, i) => [name, decode(values[i] ?? "")])),
  };
}
