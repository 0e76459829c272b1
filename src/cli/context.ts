import type { UploadsClient } from "../core/client.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { createUploadsClient } from "../node/client.js";

/** Where the CLI reads and writes; the real process by default, injectable for `npm start`. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

/** The global options, as every command sees them. */
export interface GlobalOptions {
  apiKey?: string;
  baseUrl?: string;
  json?: boolean;
  allowInsecureHttp?: boolean;
  quiet?: boolean;
  /** Seconds an attempt of a request may take. */
  timeout?: number;
  maxRetries?: number;
}

/** What a command needs: its IO, the global options, a client on demand and the interrupt signal. */
export interface CommandContext {
  io: CliIO;
  globals: GlobalOptions;
  signal: AbortSignal;
  client(): UploadsClient;
  /** Writes an API object to stdout: pretty, or compact with `--json`. */
  result(value: unknown): void;
  /** Writes a message line to stderr. */
  say(line: string): void;
}

/** Wraps a command's action so it gets its {@link CommandContext}, then the arguments commander parsed. */
export type Run = (
  action: (ctx: CommandContext, ...args: never[]) => Promise<void>,
) => (...args: unknown[]) => Promise<void>;

export function commandContext(io: CliIO, globals: GlobalOptions, signal: AbortSignal): CommandContext {
  return {
    io,
    globals,
    signal,
    client: () => {
      const apiKey = globals.apiKey ?? (io.env.OPENAI_API_KEY || undefined);
      if (!apiKey?.trim()) throw new InvalidArgumentError("No API key: pass --api-key or set OPENAI_API_KEY.");
      return createUploadsClient({
        apiKey,
        baseUrl: globals.baseUrl ?? (io.env.OPENAI_BASE_URL || undefined),
        allowInsecureHttp: globals.allowInsecureHttp,
        ...(globals.timeout !== undefined ? { timeoutMs: globals.timeout * 1000 } : {}),
        ...(globals.maxRetries !== undefined ? { maxRetries: globals.maxRetries } : {}),
      });
    },
    result: (value) => io.stdout.write(`${JSON.stringify(value, null, globals.json ? undefined : 2)}\n`),
    say: (line) => io.stderr.write(`${line}\n`),
  };
}
