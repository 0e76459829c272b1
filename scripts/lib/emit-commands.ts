import type { CommandExample, CommandFlag } from "../../src/cli/command-table.js";
import {
  type BodyExample,
  escapeToken,
  type JsonSchema,
  kebab,
  type OperationPlan,
  type ParameterPlan,
} from "./operation-plan.js";
import { SpecError } from "./spec-error.js";
import type { YamlSource } from "./yaml-source.js";

/**
 * A description for `--help`: one line, Markdown links reduced to their text, and without the
 * sentences that only pointed at a link ("See File purposes."), which say nothing in a terminal.
 */
const oneLine = (text: string | undefined) =>
  (text ?? "")
    .replace(/[;,]?\s*\bsee (the )?\[[^\]]+\]\([^)]+\)\.?/gi, "")
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/([^.!?])$/, "$1.");

/** The first sentence of an operation's description, for the command's own `--help`. */
const firstSentence = (text: string | undefined) => oneLine(text).match(/^.*?[.!?](?=\s|$)/)?.[0];

/**
 * The flag of one scalar value: its kind and checks from the schema. Arrays of strings are a
 * repeated flag; a binary string is a file path (or `-`); anything else is refused, naming
 * where, since the CLI could not take it from a shell.
 */
function scalarFlag(schema: JsonSchema, base: Omit<CommandFlag, "kind">, unsupported: () => never): CommandFlag {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const checks = {
    ...(Array.isArray(schema.enum) ? { choices: schema.enum.map(String) } : {}),
    ...(typeof schema.minimum === "number" ? { minimum: schema.minimum } : {}),
    ...(typeof schema.maximum === "number" ? { maximum: schema.maximum } : {}),
    ...(typeof schema.pattern === "string" ? { pattern: schema.pattern } : {}),
  };
  if (type === "string" && schema.format === "binary") return { ...base, kind: "binary" };
  if (type === "string" || type === "integer" || type === "number" || type === "boolean") {
    return { ...base, kind: type, ...checks };
  }
  if (type === "array" && schema.items?.type === "string") return { ...base, kind: "strings" };
  return unsupported();
}

/**
 * The command line of one request example: each flag with the example's value, in the order of
 * the flags. A path parameter takes its own `example` (else a placeholder); a file takes a file
 * name, since the spec's example is the file's content; an operation without a body example has
 * one example, of its path parameters.
 */
function exampleCommands(flags: readonly CommandFlag[], op: OperationPlan): CommandExample[] {
  const params = new Map([...op.pathParams, ...op.query].map((p) => [p.name, p.example]));
  const line = (example: BodyExample | undefined): CommandExample => {
    const args = flags.flatMap((flag): string[] => {
      const option = `--${flag.flag}`;
      if (flag.in !== "body") {
        const value = params.get(flag.name);
        return value === undefined ? (flag.required ? [option, `<${flag.flag}>`] : []) : [option, String(value)];
      }
      const property = example?.value[flag.name];
      const value =
        flag.field === undefined ? property : (property as Record<string, unknown> | undefined)?.[flag.field];
      if (value === undefined) return [];
      if (flag.kind === "binary") return [option, `${flag.name}.bin`];
      if (Array.isArray(value)) return value.flatMap((item) => [option, String(item)]);
      return [option, String(value)];
    });
    return { ...(example?.summary ? { summary: oneLine(example.summary) } : {}), args };
  };
  const examples = op.body?.examples ?? [];
  return examples.length > 0 ? examples.map(line) : op.body ? [] : [line(undefined)];
}

/**
 * Emits `generated/commands.ts`: one CLI command per operation, its flags from the path and
 * query parameters and the request body's properties. A property that is an object becomes
 * one flag per field (`expires_after.seconds` -> `--expires-after-seconds`); a field whose
 * enum has one value is filled in and needs no flag.
 */
export function emitCommands(source: YamlSource, plans: OperationPlan[]): string {
  const spec = source.value as { components?: { schemas?: Record<string, JsonSchema> } };
  const deref = (schema: JsonSchema): JsonSchema => {
    const name = schema.$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1];
    return name ? (spec.components?.schemas?.[name] ?? schema) : schema;
  };
  const commands = plans.map((op) => {
    const where = `#/paths/${escapeToken(op.path)}/${op.method}`;
    const unsupported = (what: string) => (): never => {
      const pos = source.locate(where);
      throw new SpecError(
        source.file,
        `${op.operationId}: ${what} has a shape the CLI generator cannot make a flag of (it takes strings, numbers, booleans, binary files, lists of strings and objects of those)`,
        pos?.line,
        pos?.col,
      );
    };
    const param = (p: ParameterPlan, where: "path" | "query") =>
      scalarFlag(
        p.schema,
        {
          flag: kebab(p.name),
          in: where,
          name: p.name,
          required: p.required || where === "path",
          description: oneLine(p.description),
        },
        unsupported(`parameter ${p.name}`),
      );
    const flags: CommandFlag[] = [
      ...op.pathParams.map((p) => param(p, "path")),
      ...op.query.map((p) => param(p, "query")),
    ];
    const body = op.body && deref(op.body.schema);
    const required = new Set(body?.required ?? []);
    for (const [property, raw] of Object.entries(body?.properties ?? {})) {
      const schema = deref(raw);
      const flag = op.cli.flags[property] ?? kebab(property);
      const description = oneLine(raw.description ?? schema.description);
      if (schema.type !== "object") {
        flags.push(
          scalarFlag(
            schema,
            { flag, in: "body", name: property, required: required.has(property), description },
            unsupported(property),
          ),
        );
        continue;
      }
      const fields = Object.entries(schema.properties ?? {}).map(([field, value]) => [field, deref(value)] as const);
      const fixed = Object.fromEntries(
        fields.filter(([, v]) => v.enum?.length === 1).map(([field, v]) => [field, v.enum?.[0]]),
      );
      for (const [field, value] of fields) {
        if (field in fixed) continue;
        flags.push(
          scalarFlag(
            value,
            {
              flag: `${flag}-${kebab(field)}`,
              in: "body",
              name: property,
              field,
              fixed,
              required: required.has(property) && (schema.required ?? []).includes(field),
              description: oneLine(value.description) || description,
            },
            unsupported(`${property}.${field}`),
          ),
        );
      }
    }
    return {
      operationId: op.operationId,
      command: op.cli.command,
      summary: op.summary,
      description: firstSentence(op.description) ?? op.summary,
      query: op.query.length > 0,
      body: op.body !== undefined,
      flags,
      examples: exampleCommands(flags, op),
    };
  });
  return `import type { CommandSpec } from "../src/cli/command-table.js";

/** One command of the CLI per operation of the spec, in document order. */
export const commands: readonly CommandSpec[] = ${JSON.stringify(commands, null, 2)};
`;
}
