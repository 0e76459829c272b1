import { Command, CommanderError } from "commander";
import { commands } from "../../generated/commands.js";
import { APIError } from "../errors/api-error.js";
import { APIUserAbortError } from "../errors/connection.js";
import { InvalidArgumentError, remedyAdvice } from "../errors/invalid-argument.js";
import { UnexpectedResponseError } from "../errors/unexpected-response.js";
import { UploadFileError } from "../errors/upload-file.js";
import { VERSION } from "../version.js";
import { addApiCommands } from "./api-commands.js";
import { type CliIO, type CommandContext, commandContext, type GlobalOptions } from "./context.js";
import { keyRedactor, withoutOptionValue } from "./redact.js";
import { addServeCommand } from "./serve-command.js";
import { addUploadCommand } from "./upload-command.js";
import { NAME } from "./usage.js";
import { integerIn } from "./values.js";

/** Exit codes: success, an API or network failure, a usage mistake, an interrupt (128 + SIGINT). */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/**
 * Runs the command line with `argv` (without node and the script) and resolves with the
 * exit code. Messages go to stderr, API objects to stdout; a usage mistake is one line and a
 * hint, never a stack trace, and it is found before any request. Every error line starts with
 * the program's name; with `--json` an error is one JSON document on stdout and nothing else. SIGINT and SIGTERM abort
 * what is running (an upload is then cancelled on the server) and give exit code 130.
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted); // a second Ctrl-C does not wait
    interrupt.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let ctx: CommandContext | undefined;
  const redact = keyRedactor(argv, io.env);
  /** The subcommand being parsed, so that a usage error points at its own `--help`. */
  let subcommand: string | undefined;
  const program = new Command(NAME)
    .description("The OpenAI Uploads API from a shell: create, add parts, complete, cancel, or upload a whole file.")
    .version(VERSION, "-V, --version")
    .option("--api-key <key>", "API key (default: $OPENAI_API_KEY, or $AZURE_OPENAI_API_KEY with Azure)")
    .option("--base-url <url>", "API base URL (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)")
    .option("--azure-endpoint <url>", "talk to this Azure OpenAI resource (default: $AZURE_OPENAI_ENDPOINT)")
    .option("--api-version <version>", "Azure's dated API version (default: $OPENAI_API_VERSION, else the v1 API)")
    .option(
      "--azure-ad-token <token>",
      "with Azure, a Microsoft Entra ID token instead of a key (default: $AZURE_OPENAI_AD_TOKEN); it expires in about an hour",
    )
    .option("--json", "print one compact JSON document on stdout")
    .option("--quiet", "print nothing on stderr unless something fails (no progress)")
    .option("--timeout <s>", "give up an attempt of a request after this many seconds (default 600)", integerIn(1))
    .option("--max-retries <n>", "retry a failed request this many times (default 2)", integerIn(0, 100))
    .option("--allow-insecure-http", "allow http:// to a host other than this machine (the key crosses in clear text)")
    .exitOverride()
    // Each command's help lists these global options under its own.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // report() prints commander's errors too, so that every error has one form.
      outputError: () => {},
    })
    .hook("preSubcommand", (_program, command) => {
      subcommand = command.name();
    });
  const run =
    (action: (ctx: CommandContext, ...args: never[]) => Promise<void>) =>
    async (...args: unknown[]) => {
      ctx = commandContext(io, program.opts<GlobalOptions>(), interrupt.signal, redact);
      // commander passes positional arguments, then the options, then the command
      await action(ctx, ...(args.slice(0, -1) as never[]));
    };
  addApiCommands(program, run);
  addUploadCommand(program, run);
  addServeCommand(program, run);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());

  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    // A usage error can stop parsing before --json is read into the options.
    const json = program.opts<GlobalOptions>().json === true || argv.includes("--json");
    return report(error, { io, redact }, json, interrupt.signal.aborted, subcommand);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * Prints a failure the way its kind deserves and picks the exit code: `openai-uploads: ` and
 * the message on stderr (a usage mistake adds where to read the usage), or with `--json` only
 * the JSON form on stdout. Every key the run knows is taken out of what it prints.
 */
function report(
  error: unknown,
  { io, redact }: { io: CliIO; redact: (text: string) => string },
  json: boolean,
  interrupted: boolean,
  subcommand?: string,
): number {
  // --help and --version end parsing with exit code 0, their text already printed; so does
  // the help commander prints (on stderr) when no command is given.
  if (error instanceof CommanderError && error.exitCode === 0) return EXIT.ok;
  if (error instanceof CommanderError && error.code === "commander.help") {
    if (json) io.stdout.write(`${JSON.stringify({ error: { type: "UsageError", message: "No command given." } })}\n`);
    return EXIT.usage;
  }
  const usage = error instanceof CommanderError || error instanceof InvalidArgumentError;
  const code = usage ? EXIT.usage : interrupted && error instanceof APIUserAbortError ? EXIT.interrupted : EXIT.failure;
  const described =
    error instanceof CommanderError
      ? { type: "UsageError", message: withoutOptionValue(error.message.replace(/^error: /, "")) }
      : describe(error, json);
  if (json) {
    io.stdout.write(redact(`${JSON.stringify({ error: described })}\n`));
  } else {
    io.stderr.write(redact(`${NAME}: ${described.message}\n`));
    if (usage) io.stderr.write(`(run \`${[NAME, subcommand, "--help"].filter(Boolean).join(" ")}\` for usage)\n`);
  }
  return code;
}

/**
 * The flag (or argument) of each library option the command line sets, for advice worded in
 * flags: the global and `upload` flags, then each operation's parameters as its command names them.
 */
const FLAG_OF: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    commands.flatMap((command) => command.flags.filter((f) => f.in !== "body").map((f) => [f.name, `--${f.flag}`])),
  ),
  apiKey: "--api-key",
  baseUrl: "--base-url",
  endpoint: "--azure-endpoint",
  apiVersion: "--api-version",
  azureADToken: "--azure-ad-token",
  allowInsecureHttp: "--allow-insecure-http",
  file: "FILE",
  filename: "--filename",
  bytes: "--bytes",
  mimeType: "--mime-type",
  partSize: "--part-size",
  concurrency: "--concurrency",
  resume: "--resume",
};

/**
 * The library words its advice for code (`Pass mimeType.`); on a command line the same
 * advice, from the error's fields, names the flag: the option a problem starts with, and the
 * one its remedy names.
 */
function inShellTerms(error: unknown, json: boolean): string {
  const flag = error instanceof InvalidArgumentError && error.option ? FLAG_OF[error.option] : undefined;
  if (error instanceof InvalidArgumentError && error.option && flag) {
    const problem = error.problem.startsWith(`${error.option} `)
      ? flag + error.problem.slice(error.option.length)
      : error.problem;
    const value = error.value === undefined || error.value === "true" ? "" : ` ${error.value}`;
    return problem + remedyAdvice(error.remedy, flag, value);
  }
  if (error instanceof UploadFileError && error.resumable) {
    const expires = new Date(error.resume.expiresAt * 1000).toISOString();
    // Off --json the command that continues is printed above the message; with it, the token is a field.
    const how = json ? "run the same command again, or pass resume_token to --resume," : "run the command above";
    return error.completionUnknown
      ? `${error.problem} It may have completed on the server: ${how} to complete it before ${expires}.`
      : `${error.problem} ${how[0]?.toUpperCase()}${how.slice(1)} to send the rest before ${expires}.`;
  }
  if (error instanceof UploadFileError && !error.completionUnknown) {
    return `${error.problem} The server no longer has it: run the upload again without --resume to start over.`;
  }
  return (error as Error)?.message ?? String(error);
}

/** The JSON form of an error for `--json`. */
function describe(error: unknown, json: boolean): { type: string; message: string; [field: string]: unknown } {
  const base = {
    type: (error as Error)?.name ?? "Error",
    message: inShellTerms(error, json),
  };
  if (error instanceof APIError) return { ...base, status: error.status, request_id: error.requestId ?? null };
  if (error instanceof UnexpectedResponseError) {
    return {
      ...base,
      operation: error.operationId,
      status: error.status,
      request_id: error.requestId ?? null,
      pointer: error.pointer,
    };
  }
  if (error instanceof APIUserAbortError && error.uploadId) {
    return { ...base, upload_id: error.uploadId, cancelled: error.cancelled ?? false };
  }
  if (error instanceof UploadFileError) {
    return {
      ...base,
      upload_id: error.uploadId,
      completion_unknown: error.completionUnknown,
      resumable: error.resumable,
      resume_token: error.resumable ? error.resumeToken : null,
    };
  }
  return base;
}

function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
