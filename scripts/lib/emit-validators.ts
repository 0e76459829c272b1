import { Ajv, type Options } from "ajv";
import standalone from "ajv/dist/standalone/index.js";

// A CommonJS module whose function is both `module.exports` and `.default`.
const standaloneCode = standalone as unknown as typeof standalone.default;

import type { JsonSchema, OperationPlan } from "./operation-plan.js";

/** Keywords whose value is a schema, a list of schemas or a map of them: walked into. */
const SCHEMA_KEYWORDS = new Set([
  "items",
  "additionalProperties",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
]);
const SCHEMA_LIST_KEYWORDS = new Set(["anyOf", "oneOf", "allOf"]);
const SCHEMA_MAP_KEYWORDS = new Set(["properties", "patternProperties", "dependentSchemas"]);
/** Keywords that constrain a value. Everything else (descriptions, examples, formats) is dropped before compiling. */
const VALUE_KEYWORDS = new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "required",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "dependentRequired",
]);

/**
 * The schema with only what constrains values. `format` goes too: `int64` is already said by
 * `type: integer`, and `binary` is a multipart file, not JSON.
 */
function constraintsOnly(schema: unknown): unknown {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (SCHEMA_KEYWORDS.has(keyword)) out[keyword] = constraintsOnly(value);
    else if (SCHEMA_LIST_KEYWORDS.has(keyword)) out[keyword] = (value as unknown[]).map(constraintsOnly);
    else if (SCHEMA_MAP_KEYWORDS.has(keyword)) {
      out[keyword] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, constraintsOnly(v)]));
    } else if (VALUE_KEYWORDS.has(keyword)) out[keyword] = value;
  }
  return out;
}

/** What to validate: export name -> JSON pointer of the schema in the spec. */
type Targets = Map<string, string>;

const pascal = (name: string) => name.replace(/(^|[-_.])([a-zA-Z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** The export name for a schema: its component name, else the operation and role it serves. */
function targetName(pointer: string, operationId: string, role: string): string {
  const component = pointer.match(/^#\/components\/schemas\/([A-Za-z0-9_.-]+)$/)?.[1];
  return `validate${component ? pascal(component) : `${pascal(operationId)}${role}`}`;
}

/**
 * Compiles the schemas at `targets` into standalone validators with ajv, as one module of
 * TypeScript: each export is a `SchemaValidator`. Fails when the code would need ajv at run
 * time (a keyword whose check lives in ajv's runtime), since the client must not depend on it.
 */
function compile(
  spec: { components?: { schemas?: Record<string, JsonSchema> } },
  targets: Targets,
  options: Options,
  keepSchemaPaths: boolean,
): string {
  const schemas = Object.fromEntries(
    Object.entries(spec.components?.schemas ?? {}).map(([name, schema]) => [name, constraintsOnly(schema)]),
  );
  // Inline schemas are copied under `definitions`, in the same document, so that their
  // `#/components/...` references resolve as they do in the spec.
  const definitions: Record<string, unknown> = {};
  const refs: Record<string, string> = {};
  for (const [name, pointer] of targets) {
    if (pointer.startsWith("#/components/schemas/")) {
      refs[name] = `spec${pointer}`;
    } else {
      definitions[name] = constraintsOnly(resolvePointer(spec, pointer));
      refs[name] = `spec#/definitions/${name}`;
    }
  }
  const ajv = new Ajv({
    ...options,
    code: { source: true, esm: true, optimize: true },
    strict: false,
    validateFormats: false,
    allErrors: false,
    inlineRefs: false,
  });
  ajv.addSchema({ $id: "spec", components: { schemas }, definitions });
  let code = standaloneCode(ajv, refs);
  if (/\brequire\(|\bimport\b/.test(code)) {
    throw new Error("a response or request schema uses a keyword whose check needs ajv at run time; simplify it");
  }
  const exported: string[] = [];
  // The runtime reads an error's instancePath, keyword and params, never its schemaPath; its
  // strings are dropped from the browser bundle's validators (`keepSchemaPaths` false).
  if (!keepSchemaPaths) code = code.replace(/schemaPath:"[^"]*"/g, 'schemaPath:""');
  code = code
    .replace(/^"use strict";/, "")
    .replace(/export const (\w+) = (\w+);/g, (_: string, name: string, fn: string) => {
      exported.push(`export const ${name}: SchemaValidator = ${fn};`);
      return "";
    });
  return `// @ts-nocheck -- ajv's standalone code, typed by the exports below.
import type { SchemaValidator } from "../src/core/operation.js";

${code}

${exported.sort().join("\n")}
`;
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of pointer.replace(/^#\//, "").split("/")) {
    node = (node as Record<string, unknown>)[token.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

/** The export name of each operation's success validator, by operationId. */
export function successValidatorNames(plans: OperationPlan[]): Map<string, string> {
  return new Map(
    plans.flatMap((p) =>
      p.success ? [[p.operationId, targetName(p.success.schemaPointer, p.operationId, "Success")]] : [],
    ),
  ) as Map<string, string>;
}

/**
 * `generated/response-validators.ts`: a validator for the success body of each operation, for
 * the client. Compact (no messages): it ships in the browser bundle, and the runtime words
 * the problem from the keyword and the pointer.
 */
export function emitResponseValidators(spec: unknown, plans: OperationPlan[]): string {
  const names = successValidatorNames(plans);
  const targets: Targets = new Map(
    plans.flatMap((p) => (p.success ? [[names.get(p.operationId) as string, p.success.schemaPointer]] : [])),
  );
  return compile(spec as never, targets, { messages: false }, false);
}

/**
 * `generated/request-validators.ts`: a validator for each JSON request body, keyed by
 * operationId, for the local server, which words OpenAI's 400s from their errors (hence
 * messages and `verbose`, which keeps the failing schema in each error).
 */
export function emitRequestValidators(spec: unknown, plans: OperationPlan[]): string {
  const json = plans.filter((p) => p.body?.mediaType === "application/json");
  const targets: Targets = new Map(
    json.map((p) => [
      targetName(p.body?.schemaPointer as string, p.operationId, "Body"),
      p.body?.schemaPointer as string,
    ]),
  );
  const module = compile(spec as never, targets, { messages: true, verbose: true }, true);
  const table = json
    .map((p) => `  ${p.operationId}: ${targetName(p.body?.schemaPointer as string, p.operationId, "Body")},`)
    .join("\n");
  return `${module}
/** The validator of each operation's JSON request body, by operationId. */
export const requestBodyValidators = {
${table}
} as const;
`;
}
