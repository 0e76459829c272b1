import type { JsonSchema } from "./operation-plan.js";
import { SpecError } from "./spec-error.js";
import type { YamlSource } from "./yaml-source.js";

/** `OpenAIFile` + `purpose` -> `OPEN_AI_FILE_PURPOSE`. */
const constantName = (...parts: string[]) =>
  parts
    .map((part) =>
      part
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
        .replace(/[-.\s]+/g, "_"),
    )
    .join("_")
    .toUpperCase();

/**
 * Emits `generated/constants.ts`: the facts code checks against, one export each so a bundle
 * keeps only those it uses. For every property of a component schema, its `enum` (as
 * `SCHEMA_PROPERTY`) and its numeric bounds (as `SCHEMA_PROPERTY_RANGE`); and each entry of
 * the spec's `x-limits` (as its name in capitals).
 */
export function emitConstants(source: YamlSource): string {
  const spec = source.value as { components?: { schemas?: Record<string, JsonSchema> }; "x-limits"?: unknown };
  const out: string[] = [];
  for (const [schemaName, schema] of Object.entries(spec.components?.schemas ?? {})) {
    for (const [property, value] of Object.entries(schema.properties ?? {})) {
      const name = constantName(schemaName, property);
      if (Array.isArray(value.enum)) {
        out.push(`/** The values \`${schemaName}.${property}\` may take. */
export const ${name} = ${JSON.stringify(value.enum)} as const;
`);
      }
      const bounds = Object.fromEntries(
        (["minimum", "maximum"] as const).flatMap((k) => (typeof value[k] === "number" ? [[k, value[k]]] : [])),
      );
      if (Object.keys(bounds).length) {
        out.push(`/** The bounds of \`${schemaName}.${property}\`, inclusive. */
export const ${name}_RANGE = ${JSON.stringify(bounds).replaceAll(",", ", ").replaceAll(":", ": ")} as const;
`);
      }
    }
  }
  const limits = spec["x-limits"];
  if (limits !== undefined) {
    if (!limits || typeof limits !== "object" || Array.isArray(limits)) {
      fail(source, "#/x-limits", "x-limits must be a map of snake_case names to numbers");
    }
    for (const [key, value] of Object.entries(limits as object)) {
      if (!/^[a-z][a-z0-9_]*$/.test(key) || typeof value !== "number" || !Number.isSafeInteger(value)) {
        fail(source, `#/x-limits/${key}`, `x-limits.${key} must be a snake_case name with a whole number`);
      }
      out.push(`/** \`x-limits.${key}\` of the spec. */
export const ${key.toUpperCase()} = ${value};
`);
    }
  }
  return out.join("\n");
}

function fail(source: YamlSource, pointer: string, problem: string): never {
  const pos = source.locate(pointer);
  throw new SpecError(source.file, problem, pos?.line, pos?.col);
}
