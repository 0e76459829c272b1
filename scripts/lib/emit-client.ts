import { HTTP_METHODS } from "./check-spec.js";
import { SpecError } from "./spec-error.js";
import type { YamlSource } from "./yaml-source.js";

interface Parameter {
  in?: string;
  name?: string;
  required?: boolean;
  $ref?: string;
}
interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, unknown>; $ref?: string };
}

const BODY_TYPES = ["application/json", "multipart/form-data"] as const;

/** One operation of the spec, as the client generator sees it. */
export interface OperationPlan {
  operationId: string;
  method: (typeof HTTP_METHODS)[number];
  path: string;
  pathParams: string[];
  hasQuery: boolean;
  queryRequired: boolean;
  body?: { mediaType: (typeof BODY_TYPES)[number]; required: boolean };
  doc: string;
}

/** Lists the spec's operations in document order: the order of the generated functions. */
export function planOperations(source: YamlSource): OperationPlan[] {
  const spec = source.value as {
    paths?: Record<string, Record<string, unknown> & { parameters?: Parameter[] }>;
    components?: Record<string, Record<string, unknown>>;
  };
  const deref = <T>(value: T & { $ref?: string }): T => {
    const ref = value.$ref?.match(/^#\/components\/(\w+)\/(.+)$/);
    return ref ? ((spec.components?.[ref[1] as string]?.[ref[2] as string] as T) ?? value) : value;
  };
  const plans: OperationPlan[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      const where = `#/paths/${path.replaceAll("/", "~1")}/${method}`;
      const params = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p) => deref(p));
      const unsupported = params.find((p) => p.in !== "path" && p.in !== "query");
      if (unsupported) {
        const pos = source.locate(`${where}/parameters`);
        throw new SpecError(
          source.file,
          `${operation.operationId}: ${unsupported.in} parameter "${unsupported.name}" is not supported by the client generator; use a path or query parameter`,
          pos?.line,
          pos?.col,
        );
      }
      const query = params.filter((p) => p.in === "query");
      const requestBody = operation.requestBody ? deref(operation.requestBody) : undefined;
      const mediaType = BODY_TYPES.find((t) => requestBody?.content?.[t] !== undefined);
      if (requestBody && !mediaType) {
        const pos = source.locate(`${where}/requestBody`);
        throw new SpecError(
          source.file,
          `${operation.operationId}: request body needs one of ${BODY_TYPES.join(", ")}`,
          pos?.line,
          pos?.col,
        );
      }
      plans.push({
        operationId: operation.operationId,
        method,
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string),
        hasQuery: query.length > 0,
        queryRequired: query.some((p) => p.required),
        body: mediaType ? { mediaType, required: requestBody?.required === true } : undefined,
        doc: [operation.summary, operation.description].filter(Boolean).join("\n\n").trim(),
      });
    }
  }
  return plans;
}

const camel = (name: string) => name.replace(/[-_.]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

function docComment(text: string, indent: string): string {
  const lines = text.replaceAll("*/", "*\\/").split("\n");
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ""}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

function emitOperation(op: OperationPlan): string {
  const opType = `paths[${JSON.stringify(op.path)}][${JSON.stringify(op.method)}]`;
  const args: string[] = op.pathParams.map((p) => `${camel(p)}: ${opType}["parameters"]["path"][${JSON.stringify(p)}]`);
  if (op.hasQuery) args.push(`query${op.queryRequired ? "" : "?"}: ${opType}["parameters"]["query"]`);
  if (op.body) {
    const bodyType = `NonNullable<${opType}["requestBody"]>["content"][${JSON.stringify(op.body.mediaType)}]`;
    args.push(`body${op.body.required ? "" : "?"}: ${bodyType}`);
  }
  args.push("options?: Options");
  const pathObject = `{ ${op.pathParams.map((p) => `${JSON.stringify(p)}: ${camel(p)}`).join(", ")} }`;
  const params = [op.pathParams.length ? `path: ${pathObject}` : "", op.hasQuery ? "query" : ""].filter(Boolean);
  const init = [
    "...init",
    params.length ? `params: { ${params.join(", ")} }` : "",
    op.body ? "body" : "",
    op.body?.mediaType === "multipart/form-data" ? "bodySerializer: formDataBody" : "",
  ].filter(Boolean);
  return `${docComment(op.doc || op.operationId, "    ")}    ${op.operationId}(${args.join(", ")}): Promise<SuccessBody<${opType}> & RequestIdentified> {
      return invoke({
        operationId: ${JSON.stringify(op.operationId)},
        pathParams: ${pathObject === "{  }" ? "{}" : pathObject},
        options,
        send: (init) => raw.${op.method.toUpperCase()}(${JSON.stringify(op.path)}, { ${init.join(", ")} }),
      });
    },
`;
}

/** Emits `generated/client.ts`: one typed function per operation, over openapi-fetch. */
export function emitClient(plans: OperationPlan[]): string {
  return `import type { Client } from "openapi-fetch";
import type { paths } from "./schema.js";

/** The operationIds of the spec, in document order. */
export const operationIds = [${plans.map((p) => JSON.stringify(p.operationId)).join(", ")}] as const;

/** The operationId of one of the spec's operations. */
export type OperationId = (typeof operationIds)[number];

/** What each attempt of a request may set: the runtime's abort signal and extra headers. */
export interface AttemptInit {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** One call of a generated operation, handed to the runtime that sends (and re-sends) it. */
export interface OperationCall<Options, Result> {
  operationId: OperationId;
  /** The path parameters as passed by the caller, by their name in the spec. */
  pathParams: Record<string, string>;
  options: Options | undefined;
  /** Sends the request once. Each call serializes the body again, so a retry re-sends all of it. */
  send: (init: AttemptInit) => Promise<Result>;
}

/** What a success body carries besides its schema's fields. */
export interface RequestIdentified {
  /**
   * The \`x-request-id\` of the response, to quote in a support request. Not enumerable, so it
   * stays out of \`JSON.stringify\` and object spreads.
   */
  readonly _request_id?: string | undefined;
}

/** Runs an operation call and resolves with its success body. */
export type Invoke<Options> = <Result extends { data?: unknown; error?: unknown; response: Response }>(
  call: OperationCall<Options, Result>,
) => Promise<Exclude<Result["data"], undefined> & RequestIdentified>;

/**
 * The JSON body of an operation's 2xx response, exactly as the schema types it. Spelled out
 * for each function rather than left to openapi-fetch's inferred \`data\`, whose mapped type
 * adds \`| undefined\` to optional properties and so breaks \`exactOptionalPropertyTypes\` callers.
 */
export type SuccessBody<Operation> = Operation extends { responses: infer Responses }
  ? {
      [Code in keyof Responses]: Code extends number
        ? \`\${Code}\` extends \`2\${string}\`
          ? Responses[Code] extends { content: { "application/json": infer Body } }
            ? Body
            : never
          : never
        : never;
    }[keyof Responses]
  : never;

/** Builds a multipart body: Blobs (and Files) as file parts, arrays as repeated fields. */
function formDataBody(body: unknown): FormData {
  const form = new FormData();
  const append = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (value instanceof Blob) form.append(name, value, value instanceof File ? value.name : "blob");
    else form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  };
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    for (const item of Array.isArray(value) ? value : [value]) append(name, item);
  }
  return form;
}

/** The spec's operations as typed functions: path parameters in path order, then the body, then options. */
export function createOperations<Options>(raw: Client<paths>, invoke: Invoke<Options>) {
  return {
${plans.map(emitOperation).join("")}  };
}

/** The object of typed operation functions made by \`createOperations\`. */
export type Operations<Options> = ReturnType<typeof createOperations<Options>>;
`;
}
