import { type OperationId, operations } from "../../generated/operations.js";
import { ApiError } from "./errors.js";

/** The operation a request's method and path name, with its path parameters by name. */
export interface Route {
  operationId: OperationId;
  params: Record<string, string>;
}

/**
 * How the server is reached in Azure OpenAI mode: the spec's paths under `/openai` (the dated
 * API, which needs `?api-version=` with one of `apiVersions`) and under `/openai/v1` (which
 * takes none). The OpenAI paths (`/v1/…`, `/…`) are then unknown.
 */
export interface AzureRouting {
  /** The api-version values the dated paths take. */
  apiVersions: readonly string[];
}

interface Template {
  operationId: OperationId;
  method: string;
  names: readonly string[];
  pattern: RegExp;
  /** Whether the path is of Azure's dated API, which needs an api-version. */
  dated: boolean;
}

/** Each operation's path as a pattern, after `prefix` (a regular expression's source). */
function templates(prefix: string, dated = false): Template[] {
  return Object.values(operations).map((op) => ({
    operationId: op.operationId,
    method: op.method,
    names: op.pathParams,
    pattern: new RegExp(`^${prefix}${op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "([^/]+)")}$`),
    dated,
  }));
}

/**
 * `/v1` is optional: clients call the server at its `/v1` URL like the real API, while Prism's
 * proxy forwards the spec's paths without the base path.
 */
const OPENAI = templates("(?:/v1)?");
/** Azure OpenAI's v1 API, then its dated one. */
const AZURE = [...templates("/openai/v1"), ...templates("/openai", true)];

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** The paths a 404 lists, so whoever got one sees where the operations are. */
function knownPaths(azure: AzureRouting | undefined): string {
  const ops = Object.values(operations);
  if (!azure) return `This server has ${ops.map((op) => `${op.method} /v1${op.path}`).join(", ")}.`;
  return `This server is in Azure OpenAI mode: it has ${ops.map((op) => `${op.method} /openai${op.path}?api-version=V`).join(", ")} (${versions(azure)}), and the same under /openai/v1 without an api-version.`;
}

/** The api-version values a dated path takes, as a message lists them: `V one of A, B`. */
function versions(azure: AzureRouting): string {
  return `V ${azure.apiVersions.length === 1 ? "" : "one of "}${azure.apiVersions.join(", ")}`;
}

/** Throws the 404 for a dated Azure path whose `api-version` is missing or not one the server takes. */
function checkApiVersion(pathname: string, query: string, azure: AzureRouting): void {
  const given = new URLSearchParams(query).get("api-version");
  if (given !== null && azure.apiVersions.includes(given)) return;
  const shown = given !== null && given.length > 64 ? `${given.slice(0, 64)}…` : given;
  const problem =
    given === null || given === ""
      ? `${pathname} needs an api-version query parameter`
      : `api-version '${shown}' is not one this server takes on ${pathname}`;
  throw new ApiError(
    404,
    `Resource not found: ${problem}. Add ?api-version=V with ${versions(azure)}, or call the v1 API under /openai/v1, which takes none.`,
    { param: "api-version" },
  );
}

/**
 * The operation a request's method and target (its path, and query string if any) name, from
 * the spec's operation table: the OpenAI paths, or with `azure` Azure OpenAI's. Throws a 404
 * {@link ApiError} for a path the spec does not have (and, with `azure`, for a dated path
 * without one of its api-version values), and a 405 with `Allow` for a method the path does
 * not take.
 */
export function route(method: string | undefined, target: string, azure?: AzureRouting): Route {
  const queryAt = target.indexOf("?");
  const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? "" : target.slice(queryAt + 1);
  const matching = (azure ? AZURE : OPENAI).filter((t) => t.pattern.test(pathname));
  if (matching.length === 0) {
    throw new ApiError(404, `Invalid URL (${method} ${pathname}). ${knownPaths(azure)}`);
  }
  if (azure && matching.some((t) => t.dated)) checkApiVersion(pathname, query, azure);
  const found = matching.find((t) => t.method === method);
  if (!found) {
    const allowed = matching.map((t) => t.method).join(", ");
    throw new ApiError(405, `Method ${method} is not allowed on ${pathname}; use ${allowed}.`, {
      headers: { allow: allowed },
    });
  }
  const values = found.pattern.exec(pathname)?.slice(1) ?? [];
  return {
    operationId: found.operationId,
    params: Object.fromEntries(found.names.map((name, i) => [name, decode(values[i] ?? "")])),
  };
}
