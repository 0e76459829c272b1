/**
 * The shape of generated/commands.ts: one CLI command per operation of the spec, with its
 * flags derived from the operation's parameters and request body.
 */

/** One flag of a command, and where its value goes in the call. */
export interface CommandFlag {
  /** The flag without dashes: `mime-type`. */
  flag: string;
  /** Where the value goes: a path or query parameter, or a property of the body. */
  in: "path" | "query" | "body";
  /** The parameter's or top-level body property's name in the spec: `mime_type`. */
  name: string;
  /** For a property that is an object, the field of it this flag sets: `seconds`. */
  field?: string;
  /** Fields of that object whose enum has a single value, set alongside: `{ anchor: "created_at" }`. */
  fixed?: Record<string, unknown>;
  /** How the shell string becomes a value; `strings` is a repeated flag, `binary` a file path or `-`. */
  kind: "string" | "integer" | "number" | "boolean" | "binary" | "strings";
  required: boolean;
  /** The spec's description of the value, on one line. */
  description: string;
  /** The enum's values, when the schema has one. */
  choices?: string[];
  minimum?: number;
  maximum?: number;
  /** The schema's `pattern`, which the value must match. */
  pattern?: string;
}

/** One example of a command, from the spec's example of its request, for its `--help`. */
export interface CommandExample {
  /** The example's summary in the spec, on one line. */
  summary?: string;
  /** The arguments after the command's name, unquoted. */
  args: string[];
}

/** One command: an operation of the spec. */
export interface CommandSpec {
  operationId: string;
  /** The command's name: `x-cli.command`, else the operationId in kebab-case. */
  command: string;
  /** The operation's summary, shown in the list of commands. */
  summary: string;
  /** The first sentence of the operation's description, shown in the command's own `--help`. */
  description: string;
  /** Whether the typed operation takes a query object, and a body, after its path parameters. */
  query: boolean;
  body: boolean;
  flags: CommandFlag[];
  /** Example command lines, one per example the spec gives of the request. */
  examples: CommandExample[];
}
