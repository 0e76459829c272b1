import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { formDataBody } from "./form-data.js";
import type { AttemptInit, OperationSpec, SentAttempt } from "./operation.js";
import { expandPath } from "./path-params.js";

/** Sets each header of `values` on `headers`, replacing one of the same name in any case; skips null and undefined. */
export function setHeaders(
  headers: Headers,
  values: Readonly<Record<string, string | null | undefined>> | undefined,
): void {
  for (const [name, value] of Object.entries(values ?? {})) {
    if (value !== undefined && value !== null) headers.set(name, value);
  }
}

/** Where and how a client sends: the URL of a path, each request's headers, and its fetch. */
export interface RequestTarget {
  url: (path: string) => URL;
  headers: (signal?: AbortSignal) => Promise<Readonly<Record<string, string>>>;
  fetch: (request: Request) => Promise<Response>;
}

/** What a generated operation passes for one request: its path parameters, query and body, as the caller gave them. */
export interface RequestParts {
  path?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** Sends one request of a generated operation; the runtime (invoke) calls it once per attempt. */
export type SendOperation = (operation: OperationSpec, parts: RequestParts, init: AttemptInit) => Promise<SentAttempt>;

/**
 * Builds and sends one request from the spec's operation table: the path with its parameters
 * percent-encoded, the query, a JSON or multipart body (serialized again on every attempt, so
 * a retry re-sends the whole body), the client's headers under the attempt's. Reads the body
 * as text: a 2xx body is for the runtime to parse and check, any other is parsed when it is JSON.
 */
export function requestSender(target: RequestTarget): SendOperation {
  return async (operation, { path = {}, query = {}, body }, init) => {
    const url = target.url(expandPath(operation.path, path));
    for (const [name, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== undefined) url.searchParams.append(name, String(item));
      }
    }
    // A request that cannot be built (a body that is not an object or holds a BigInt, a header
    // value with a line break) is the caller's mistake: thrown as such, so it is not retried.
    const refuse = (option: string, problem: string) =>
      new InvalidArgumentError(`${operation.operationId}: ${problem}.`, { option });
    if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) {
      throw refuse("body", `the body must be an object, not ${body === null ? "null" : typeof body}`);
    }
    const json = body !== undefined && operation.bodyMediaType === "application/json";
    const headers = new Headers(await target.headers(init.signal));
    if (json) headers.set("Content-Type", "application/json");
    try {
      setHeaders(headers, init.headers);
    } catch (error) {
      throw refuse("headers", `a header cannot be sent (${(error as Error).message})`);
    }
    let serialized: BodyInit | undefined;
    try {
      serialized = body === undefined ? undefined : json ? JSON.stringify(body) : formDataBody(body);
    } catch (error) {
      throw refuse("body", `the body cannot be serialized (${(error as Error).message})`);
    }
    const request = new Request(url, {
      method: operation.method,
      headers,
      body: serialized,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const response = await target.fetch(request);
    const text = await response.text();
    if (response.ok) return { response, data: text };
    try {
      return { response, error: text ? JSON.parse(text) : undefined };
    } catch {
      // Not JSON (a proxy's HTML error page, say): keep the text for the error message.
      return { response, error: text };
    }
  };
}
