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
  /** A Microsoft Entra ID token, Azure's alternative to a key. */
  azureAdToken?: string;
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
        const credential = azureCredential(io, globals);
        // Passed whole, so that the library reads no environment of its own: io.env is the CLI's.
        const apiVersion = globals.apiVersion ?? (io.env.OPENAI_API_VERSION || "v1");
        const { createAzureUploadsClient } = await import("../node/client.js");
        return createAzureUploadsClient({ endpoint, ...credential, apiVersion, ...sending });
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
 * `--api-version` or `--azure-ad-token` without Azure.
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
  const azureOnly =
    globals.apiVersion !== undefined
      ? "--api-version"
      : globals.azureAdToken !== undefined
        ? "--azure-ad-token"
        : undefined;
  if (endpoint === undefined && azureOnly) {
    throw new InvalidArgumentError(
      `${azureOnly} is Azure's; pass --azure-endpoint (or set AZURE_OPENAI_ENDPOINT) with it.`,
    );
  }
  return endpoint;
}

/**
 * Azure's credential: `--api-key` or `--azure-ad-token`, else `AZURE_OPENAI_API_KEY` or
 * `AZURE_OPENAI_AD_TOKEN` (a flag beats the environment). Refused before any request: both
 * flags, both variables without a flag to choose, and neither.
 */
function azureCredential(io: CliIO, globals: GlobalOptions): { apiKey: string } | { azureADToken: string } {
  if (globals.apiKey !== undefined && globals.azureAdToken !== undefined) {
    throw new InvalidArgumentError("--api-key and --azure-ad-token are both given; pass one of them.");
  }
  if (globals.apiKey !== undefined) return { apiKey: globals.apiKey };
  if (globals.azureAdToken !== undefined) return { azureADToken: globals.azureAdToken };
  const key = io.env.AZURE_OPENAI_API_KEY?.trim() ? io.env.AZURE_OPENAI_API_KEY : undefined;
  const token = io.env.AZURE_OPENAI_AD_TOKEN?.trim() ? io.env.AZURE_OPENAI_AD_TOKEN : undefined;
  if (key && token) {
    throw new InvalidArgumentError(
      "AZURE_OPENAI_API_KEY and AZURE_OPENAI_AD_TOKEN are both set; pass --api-key or --azure-ad-token to choose, or unset one.",
    );
  }
  if (key) return { apiKey: key };
  if (token) return { azureADToken: token };
  const why = globals.azureEndpoint ? "--azure-endpoint" : "AZURE_OPENAI_ENDPOINT";
  throw new InvalidArgumentError(
    `No Azure OpenAI key (${why} says to talk to Azure): pass --api-key or --azure-ad-token, or set AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN.`,
  );
}
