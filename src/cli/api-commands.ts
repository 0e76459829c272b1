import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { type Command, Option } from "commander";
import { commands } from "../../generated/commands.js";
import type { OperationId } from "../../generated/operations.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { inBinaryUnits, MAX_PART_BYTES } from "../limits.js";
import type { CommandFlag, CommandSpec } from "./command-table.js";
import type { CommandContext, Run } from "./context.js";
import { collect, integerIn, matching, numberIn } from "./values.js";

const PLACEHOLDER: Record<CommandFlag["kind"], string> = {
  string: "",
  integer: "<n>",
  number: "<n>",
  boolean: "",
  binary: "<path>",
  strings: "",
};

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
  const check = flag.pattern ? matching(new RegExp(flag.pattern)) : (value: string) => value;
  if (flag.kind === "integer") option.argParser((value) => integerIn(minimum ?? 0, maximum)(check(value)));
  else if (flag.kind === "number") option.argParser((value) => numberIn(minimum, maximum)(check(value)));
  else if (flag.kind === "strings") option.argParser((value, previous: string[]) => collect(check(value), previous));
  else if (flag.pattern) option.argParser(check);
  if (flag.required) option.makeOptionMandatory();
  return option;
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
    const options = spec.flags.map((flag) => {
      const option = optionFor(flag);
      command.addOption(option);
      return [flag, option.attributeName()] as const;
    });
    command.action(
      run(async (ctx, opts: Record<string, unknown>) => {
        const args = await callArguments(spec, options, opts, ctx);
        const operation = ctx.client()[spec.operationId as OperationId] as (...args: unknown[]) => Promise<unknown>;
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
): Promise<unknown[]> {
  const path: unknown[] = [];
  const query: Record<string, unknown> = {};
  const body: Record<string, unknown> = {};
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
