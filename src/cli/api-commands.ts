import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { type Command, Option, InvalidArgumentError as UsageError } from "commander";
import { commands } from "../../generated/commands.js";
import type { OperationId } from "../../generated/operations.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { inBinaryUnits, MAX_PART_BYTES } from "../limits.js";
import type { CommandFlag, CommandSpec } from "./command-table.js";
import type { CommandContext, Run } from "./context.js";
import { addExamples, requireOptions } from "./usage.js";
import { collect, integerIn, matching, numberIn } from "./values.js";

// yaml is loaded for the one flag that needs it, when given, not with every command.
const require = createRequire(import.meta.url);

const PLACEHOLDER: Record<CommandFlag["kind"], string> = {
  string: "",
  integer: "<n>",
  number: "<n>",
  boolean: "",
  binary: "<path>",
  strings: "",
};

/** How a flag's shell string becomes its value, checked as the spec says. */
function parserFor(flag: CommandFlag): ((value: string, previous: string[]) => unknown) | undefined {
  const { minimum, maximum } = flag;
  const check = flag.pattern ? matching(new RegExp(flag.pattern)) : (value: string) => value;
  if (flag.kind === "integer") return (value) => integerIn(minimum ?? 0, maximum)(check(value));
  if (flag.kind === "number") return (value) => numberIn(minimum, maximum)(check(value));
  if (flag.kind === "strings") return (value, previous) => collect(check(value), previous);
  return flag.pattern ? check : undefined;
}

/** The commander option for one flag of a generated command: its checks come from the spec. */
function optionFor(flag: CommandFlag): Option {
  const { minimum, maximum } = flag;
  // The spec's description often states the range already; else it is shown.
  const stated = [minimum, maximum].every((bound) => bound === undefined || flag.description.includes(String(bound)));
  const range = stated
    ? ""
    : minimum !== undefined && maximum !== undefined
      ? ` (${minimum}-${maximum})`
      : ` (${minimum !== undefined ? `>= ${minimum}` : `<= ${maximum}`})`;
  const extra =
    flag.kind === "binary" ? " (a file, or - for stdin)" : flag.kind === "strings" ? " (repeat, in order)" : "";
  const placeholder = PLACEHOLDER[flag.kind] || (flag.kind === "boolean" ? "" : `<${flag.flag}>`);
  const option = new Option(`--${flag.flag} ${placeholder}`.trim(), `${flag.description}${range}${extra}`);
  if (flag.choices) option.choices(flag.choices);
  const parse = parserFor(flag);
  if (parse) option.argParser(parse as (value: string, previous: unknown) => unknown);
  return option;
}

/**
 * The ways to give a body property that is an object, besides its flattened flags
 * (`--expires-after-seconds N`): the whole object, as the seed's CLI form writes it
 * (`--expires-after '{"anchor": "created_at", "seconds": N}'`, or YAML's
 * `{anchor: created_at, seconds: N}`), and one flag per field, as OpenAI's CLI spells them
 * (`--expires-after.anchor`, `--expires-after.seconds`). Each field is checked as its flag is.
 * `read` turns what was given into the body's objects, by property name.
 */
export function objectOptions(flags: readonly CommandFlag[]): {
  options: Option[];
  read(opts: Record<string, unknown>): Record<string, Record<string, unknown>>;
} {
  const groups = new Map<string, CommandFlag[]>();
  for (const flag of flags)
    if (flag.field !== undefined) groups.set(flag.name, [...(groups.get(flag.name) ?? []), flag]);
  const options: Option[] = [];
  const readers: Array<(opts: Record<string, unknown>, into: Record<string, Record<string, unknown>>) => void> = [];
  for (const [name, fields] of groups) {
    const base = name.replaceAll("_", "-");
    const fixed = Object.assign({}, ...fields.map((flag) => flag.fixed ?? {})) as Record<string, unknown>;
    const keys = [...Object.keys(fixed), ...fields.map((flag) => flag.field as string)];
    /** One field's shell value, checked: a fixed field takes only its one value. */
    const field = (key: string, raw: string): unknown => {
      if (key in fixed) {
        if (raw !== String(fixed[key])) throw new UsageError(`${key} must be ${String(fixed[key])}.`);
        return fixed[key];
      }
      const flag = fields.find((candidate) => candidate.field === key) as CommandFlag;
      try {
        return parserFor(flag)?.(raw, []) ?? raw;
      } catch (error) {
        throw new UsageError(`${key}: ${(error as Error).message}`);
      }
    };
    const whole = new Option(`--${base} <object>`, `${name} as JSON or {${keys.map((k) => `${k}: …`).join(", ")}}`);
    whole.argParser((raw) => {
      let value: unknown;
      try {
        value = (require("yaml") as typeof import("yaml")).parse(raw);
      } catch {
        value = undefined;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new UsageError(`expected an object such as {${keys.map((k) => `${k}: …`).join(", ")}}.`);
      }
      const unknown = Object.keys(value).filter((key) => !keys.includes(key));
      if (unknown.length > 0)
        throw new UsageError(`${unknown.join(", ")} is not a field; the fields are ${keys.join(", ")}.`);
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, field(key, String(v))]));
    });
    const dotted = keys.map((key) => {
      const option = new Option(`--${base}.${key} <value>`, `the ${key} of ${name}`).argParser((raw) =>
        field(key, raw),
      );
      return [key, option] as const;
    });
    options.push(whole, ...dotted.map(([, option]) => option));
    readers.push((opts, into) => {
      const given = opts[whole.attributeName()] as Record<string, unknown> | undefined;
      const parts = Object.fromEntries(
        dotted.flatMap(([key, option]) =>
          opts[option.attributeName()] === undefined ? [] : [[key, opts[option.attributeName()]]],
        ),
      );
      if (given || Object.keys(parts).length > 0) into[name] = { ...fixed, ...given, ...parts };
    });
  }
  return {
    options,
    read(opts) {
      const into: Record<string, Record<string, unknown>> = {};
      for (const reader of readers) reader(opts, into);
      return into;
    },
  };
}

/**
 * One command per operation of the spec (generated/commands.ts): `create`, `add-part`,
 * `complete`, `cancel`, and whatever the spec adds. Each flag's value goes where the spec puts
 * it (path, query or body); the call goes through the typed client, so the answer is checked
 * like any other.
 */
export function addApiCommands(program: Command, run: Run): void {
  for (const spec of commands) {
    const command = program.command(spec.command).summary(spec.summary).description(spec.description);
    const flagOptions = spec.flags.map((flag) => [flag, optionFor(flag)] as const);
    for (const [, option] of flagOptions) command.addOption(option);
    requireOptions(
      command,
      flagOptions.flatMap(([flag, option]) => (flag.required ? [option] : [])),
    );
    const options = flagOptions.map(([flag, option]) => [flag, option.attributeName()] as const);
    const objects = objectOptions(spec.flags);
    for (const option of objects.options) command.addOption(option);
    addExamples(command, spec.examples);
    command.action(
      run(async (ctx, opts: Record<string, unknown>) => {
        const args = await callArguments(spec, options, opts, ctx, objects.read(opts));
        const operation = (await ctx.client())[spec.operationId as OperationId] as (
          ...args: unknown[]
        ) => Promise<unknown>;
        ctx.result(await operation(...args, { signal: ctx.signal }));
      }),
    );
  }
}

/** The arguments of the typed operation, in its order: path parameters, then the query, then the body. */
async function callArguments(
  spec: CommandSpec,
  options: ReadonlyArray<readonly [CommandFlag, string]>,
  opts: Record<string, unknown>,
  ctx: CommandContext,
  objects: Record<string, Record<string, unknown>>,
): Promise<unknown[]> {
  const path: unknown[] = [];
  const query: Record<string, unknown> = {};
  const body: Record<string, unknown> = { ...objects };
  for (const [flag, attribute] of options) {
    const given = opts[attribute];
    if (given === undefined) continue;
    const value = flag.kind === "binary" ? await readBinary(flag, String(given), ctx) : given;
    if (flag.in === "path") path.push(value);
    else if (flag.in === "query") query[flag.name] = value;
    else if (flag.field === undefined) body[flag.name] = value;
    else body[flag.name] = { ...flag.fixed, ...(body[flag.name] as object | undefined), [flag.field]: value };
  }
  return [...path, ...(spec.query ? [query] : []), ...(spec.body ? [body] : [])];
}

/** A binary flag's file (or stdin for `-`) as a Blob: at most a part's worth, which is all the API takes in one request. */
async function readBinary(flag: CommandFlag, value: string, ctx: CommandContext): Promise<Blob> {
  const name = `--${flag.flag}`;
  if (value === "-") {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.io.stdin) {
      size += (chunk as Buffer).length;
      if (size > MAX_PART_BYTES) {
        throw new InvalidArgumentError(
          `stdin holds more than ${MAX_PART_BYTES} bytes (${inBinaryUnits(MAX_PART_BYTES)}), more than a part holds.`,
        );
      }
      chunks.push(chunk as Buffer);
    }
    return new Blob([new Uint8Array(Buffer.concat(chunks))]);
  }
  const info = await stat(value).catch(() => undefined);
  if (!info) throw new InvalidArgumentError(`${name} ${value} does not exist.`);
  if (!info.isFile()) throw new InvalidArgumentError(`${name} ${value} is not a regular file.`);
  if (info.size > MAX_PART_BYTES) {
    throw new InvalidArgumentError(
      `${name} ${value} is ${info.size} bytes; a part holds at most ${MAX_PART_BYTES} (${inBinaryUnits(MAX_PART_BYTES)}). Use \`upload\`.`,
    );
  }
  return openAsBlob(value);
}
