import type { UploadsClient } from "../core/client.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";

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
  /** Azure OpenAI's endpoint: the commands then talk to Azure. */
  azureEndpoint?: string;
  /** Azure's dated API version; else the v1 API. */
  apiVersion?: string;
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
  /** The client the global options and the environment describe; loaded on first use, so `--help` does not load it. */
  client(): Promise<UploadsClient>;
  /** Writes an API object to stdout: pretty, or compact with `--json`; like {@link say}, without any key the run knows. */
  result(value: unknown): void;
  /** Writes a message line to stderr. */
  say(line: string): void;
}

/** Wraps a command's action so it gets its {@link CommandContext}, then the arguments commander parsed. */
export type Run = (
  action: (ctx: CommandContext, ...args: never[]) => Promise<void>,
) => (...args: unknown[]) => Promise<void>;

/** `redact` takes the keys the run knows out of a text before it is printed. */
export function commandContext(
  io: CliIO,
  globals: GlobalOptions,
  signal: AbortSignal,
  redact: (text: string) => string,
): CommandContext {
  return {
    io,
    globals,
    signal,
    client: async () => {
      const sending = {
        allowInsecureHttp: globals.allowInsecureHttp,
        ...(globals.timeout !== undefined ? { timeoutMs: globals.timeout * 1000 } : {}),
        ...(globals.maxRetries !== undefined ? { maxRetries: globals.maxRetries } : {}),
      };
      const endpoint = azureEndpoint(io, globals);
      if (endpoint !== undefined) {
        const apiKey = globals.apiKey ?? (io.env.AZURE_OPENAI_API_KEY || undefined);
        if (!apiKey?.trim()) {
          const why = globals.azureEndpoint ? "--azure-endpoint" : "AZURE_OPENAI_ENDPOINT";
          throw new InvalidArgumentError(
            `No Azure OpenAI key (${why} says to talk to Azure): pass --api-key or set AZURE_OPENAI_API_KEY.`,
          );
        }
        // Passed whole, so that the library reads no environment of its own: io.env is the CLI's.
        const apiVersion = globals.apiVersion ?? (io.env.OPENAI_API_VERSION || "v1");
        const { createAzureUploadsClient } = await import("../node/client.js");
        return createAzureUploadsClient({ endpoint, apiKey, apiVersion, ...sending });
      }
      const apiKey = globals.apiKey ?? (io.env.OPENAI_API_KEY || undefined);
      if (!apiKey?.trim()) throw new InvalidArgumentError("No API key: pass --api-key or set OPENAI_API_KEY.");
      const { createUploadsClient } = await import("../node/client.js");
      return createUploadsClient({
        apiKey,
        baseUrl: globals.baseUrl ?? (io.env.OPENAI_BASE_URL || undefined),
        ...sending,
      });
    },
    result: (value) => io.stdout.write(redact(`${JSON.stringify(value, null, globals.json ? undefined : 2)}\n`)),
    say: (line) => io.stderr.write(redact(`${line}\n`)),
  };
}

/**
 * Azure OpenAI's endpoint when the command talks to Azure: `--azure-endpoint`, else
 * `AZURE_OPENAI_ENDPOINT` unless `--base-url` says OpenAI (a flag beats the environment).
 * Refused before any request, as no choice would surely be the one meant: both flags, both
 * variables (OPENAI_BASE_URL and AZURE_OPENAI_ENDPOINT) without a flag to choose, and
 * `--api-version` without Azure.
 */
function azureEndpoint(io: CliIO, globals: GlobalOptions): string | undefined {
  if (globals.azureEndpoint !== undefined && globals.baseUrl !== undefined) {
    throw new InvalidArgumentError("--base-url is OpenAI's and --azure-endpoint Azure's; pass one of them.");
  }
  const fromEnv = io.env.AZURE_OPENAI_ENDPOINT?.trim() ? io.env.AZURE_OPENAI_ENDPOINT : undefined;
  if (
    globals.azureEndpoint === undefined &&
    globals.baseUrl === undefined &&
    fromEnv &&
    io.env.OPENAI_BASE_URL?.trim()
  ) {
    throw new InvalidArgumentError(
      "OPENAI_BASE_URL and AZURE_OPENAI_ENDPOINT are both set; pass --base-url or --azure-endpoint to choose, or unset one.",
    );
  }
  const endpoint = globals.azureEndpoint ?? (globals.baseUrl === undefined ? fromEnv : undefined);
  if (endpoint === undefined && globals.apiVersion !== undefined) {
    throw new InvalidArgumentError(
      "--api-version is Azure's; pass --azure-endpoint (or set AZURE_OPENAI_ENDPOINT) with it.",
    );
  }
  return endpoint;
}
