import { HTTP_METHODS } from "./check-spec.js";
import { SpecError } from "./spec-error.js";
import type { YamlSource } from "./yaml-source.js";

/** A JSON Schema as the spec writes it (OpenAPI 3.1 schemas are JSON Schema). */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  format?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  [keyword: string]: unknown;
}

interface Parameter {
  in?: string;
  name?: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
  example?: unknown;
  $ref?: string;
}

/** An Example Object of the spec, or a `$ref` to one under `components/examples`. */
interface Example {
  summary?: string;
  value?: unknown;
  $ref?: string;
}
interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: {
    required?: boolean;
    content?: Record<string, { schema?: JsonSchema; examples?: Record<string, Example> }>;
    $ref?: string;
  };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }>; $ref?: string }>;
  "x-cli"?: { command?: unknown; flags?: unknown };
  "x-echo"?: unknown;
}

export const BODY_TYPES = ["application/json", "multipart/form-data"] as const;

/** One parameter of an operation, by where it goes. */
export interface ParameterPlan {
  name: string;
  required: boolean;
  description: string;
  schema: JsonSchema;
  /** The parameter's `example` (or its schema's), for the CLI's help. */
  example?: unknown;
}

/** One example of a request body, as the spec gives it under its media type's `examples`. */
export interface BodyExample {
  summary: string | undefined;
  value: Record<string, unknown>;
}

/** One operation of the spec, as the generators see it. */
export interface OperationPlan {
  operationId: string;
  method: (typeof HTTP_METHODS)[number];
  path: string;
  pathParams: ParameterPlan[];
  query: ParameterPlan[];
  body?: {
    mediaType: (typeof BODY_TYPES)[number];
    required: boolean;
    /** A JSON pointer into the spec, where the body's schema is (after one `$ref`). */
    schemaPointer: string;
    schema: JsonSchema;
    /** The properties that are files (`format: binary`). */
    fileFields: string[];
    /** The media type's examples, in document order: the CLI's help shows them as commands. */
    examples: BodyExample[];
  };
  /** The first 2xx response with a JSON body: its status and where its schema is. */
  success?: { status: string; schemaPointer: string; schemaName: string | undefined };
  summary: string;
  /** The operation's description, as the spec writes it. */
  description: string | undefined;
  doc: string;
  /** The CLI command's name, and flag names for body properties that differ from theirs. */
  cli: { command: string; flags: Record<string, string> };
  /** Path parameter -> JSON pointer of the success body that must equal it. */
  echo: Record<string, string>;
}

/** Escapes one JSON pointer token. */
export const escapeToken = (token: string) => token.replaceAll("~", "~0").replaceAll("/", "~1");

/** `createUpload` -> `create-upload`: the default CLI command name. */
export const kebab = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[_\s]+/g, "-")
    .toLowerCase();

/** Lists the spec's operations in document order: the order of the generated functions and commands. */
export function planOperations(source: YamlSource): OperationPlan[] {
  const spec = source.value as {
    paths?: Record<string, Record<string, unknown> & { parameters?: Parameter[] }>;
    components?: Record<string, Record<string, unknown>>;
  };
  const fail = (pointer: string, problem: string): never => {
    const pos = source.locate(pointer);
    throw new SpecError(source.file, problem, pos?.line, pos?.col);
  };
  /** Follows one local `$ref`, returning the target and the pointer it lives at. */
  const deref = <T>(value: T & { $ref?: string }, at: string): [T, string] => {
    const ref = value.$ref?.match(/^#\/components\/(\w+)\/(.+)$/);
    const target = ref ? (spec.components?.[ref[1] as string]?.[ref[2] as string] as T | undefined) : undefined;
    return target && value.$ref ? [target, value.$ref] : [value, at];
  };
  const plans: OperationPlan[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      const where = `#/paths/${escapeToken(path)}/${method}`;
      const id = operation.operationId;
      const params = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p) => deref(p, "")[0]);
      const unsupported = params.find((p) => p.in !== "path" && p.in !== "query");
      if (unsupported) {
        fail(
          `${where}/parameters`,
          `${id}: ${unsupported.in} parameter "${unsupported.name}" is not supported by the client generator; use a path or query parameter`,
        );
      }
      const toPlan = (p: Parameter): ParameterPlan => ({
        name: p.name as string,
        required: p.required === true,
        description: p.description ?? "",
        schema: p.schema ?? {},
        ...((p.example ?? p.schema?.example) === undefined ? {} : { example: p.example ?? p.schema?.example }),
      });
      const byName = new Map(params.filter((p) => p.in === "path").map((p) => [p.name, p]));
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => {
        const name = m[1] as string;
        return toPlan(byName.get(name) ?? { name, required: true });
      });

      let body: OperationPlan["body"];
      if (operation.requestBody) {
        const [requestBody, bodyAt] = deref(operation.requestBody, `${where}/requestBody`);
        const mediaType = BODY_TYPES.find((t) => requestBody.content?.[t] !== undefined);
        if (!mediaType) fail(`${where}/requestBody`, `${id}: request body needs one of ${BODY_TYPES.join(", ")}`);
        const media = requestBody.content?.[mediaType as string] ?? {};
        const [schema, schemaPointer] = deref(
          media.schema ?? {},
          `${bodyAt}/content/${escapeToken(mediaType as string)}/schema`,
        );
        const fileFields = Object.entries(schema.properties ?? {})
          .filter(([, property]) => deref(property, "")[0].format === "binary")
          .map(([name]) => name);
        const examples = Object.values(media.examples ?? {})
          .map((example) => deref(example, "")[0])
          .filter((example) => example.value !== null && typeof example.value === "object")
          .map((example) => ({ summary: example.summary, value: example.value as Record<string, unknown> }));
        body = {
          mediaType: mediaType as (typeof BODY_TYPES)[number],
          required: requestBody.required === true,
          schemaPointer,
          schema,
          fileFields,
          examples,
        };
      }

      let success: OperationPlan["success"];
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^2\d\d$/.test(status)) continue;
        const [resolved, responseAt] = deref(response, `${where}/responses/${status}`);
        const schema = resolved.content?.["application/json"]?.schema;
        if (!schema) continue;
        const schemaPointer = schema.$ref ?? `${responseAt}/content/application~1json/schema`;
        success = { status, schemaPointer, schemaName: schema.$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1] };
        break;
      }

      const cli = operation["x-cli"] ?? {};
      if (cli.command !== undefined && (typeof cli.command !== "string" || !/^[a-z][a-z0-9-]*$/.test(cli.command))) {
        fail(`${where}/x-cli/command`, `${id}: x-cli.command must be a kebab-case name, such as "add-part"`);
      }
      const flags = (cli.flags ?? {}) as Record<string, unknown>;
      for (const [property, flag] of Object.entries(flags)) {
        if (typeof flag !== "string" || !/^[a-z][a-z0-9-]*$/.test(flag)) {
          fail(
            `${where}/x-cli/flags/${escapeToken(property)}`,
            `${id}: x-cli.flags.${property} must be a kebab-case flag name`,
          );
        }
        if (!body?.schema.properties?.[property]) {
          fail(
            `${where}/x-cli/flags/${escapeToken(property)}`,
            `${id}: x-cli.flags names "${property}", which the request body does not have`,
          );
        }
      }

      const echo = (operation["x-echo"] ?? {}) as Record<string, unknown>;
      for (const [param, pointer] of Object.entries(echo)) {
        if (!pathParams.some((p) => p.name === param)) {
          fail(
            `${where}/x-echo/${escapeToken(param)}`,
            `${id}: x-echo names "${param}", which is not a path parameter of ${path}`,
          );
        }
        if (typeof pointer !== "string" || !/^(\/[^/]+)+$/.test(pointer) || !success) {
          fail(
            `${where}/x-echo/${escapeToken(param)}`,
            `${id}: x-echo.${param} must be a JSON pointer into the success body, such as "/id"`,
          );
        }
      }

      plans.push({
        operationId: id,
        method,
        path,
        pathParams,
        query: params.filter((p) => p.in === "query").map(toPlan),
        body,
        success,
        summary: operation.summary ?? id,
        description: operation.description,
        doc: [operation.summary, operation.description].filter(Boolean).join("\n\n").trim(),
        cli: { command: (cli.command as string | undefined) ?? kebab(id), flags: flags as Record<string, string> },
        echo: echo as Record<string, string>,
      });
    }
  }
  return plans;
}
