import { once } from "node:events";
import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import type { Run } from "./context.js";
import { addExamples } from "./usage.js";
import { collect, integerIn } from "./values.js";

/** Stands in for a key in the `export OPENAI_API_KEY=` (or `AZURE_OPENAI_API_KEY=`) line when the server takes any: it is no secret. */
const ANY_KEY = "sk-local";

/**
 * `serve`: the local Uploads server in the foreground until Ctrl-C or SIGTERM. The global
 * `--api-key`, given to `serve`, is the only bearer token it accepts; without it any is. It
 * prints (on stderr) its data dir and the `export` lines that point a shell's client at it,
 * but never the key: the user typed it, and output ends up in logs. With `--azure` it serves
 * Azure OpenAI's paths and auth (`api-key` header or Bearer token) and prints the `AZURE_OPENAI_*`
 * and `OPENAI_API_VERSION` lines an Azure client reads instead.
 */
export function addServeCommand(program: Command, run: Run): void {
  const serve = program
    .command("serve")
    .description(
      "Run the local Uploads server (for tests and demos) until stopped; with --api-key, only that key is accepted",
    )
    .option("--port <n>", "port to listen on (default: a free one)", integerIn(0, 65535))
    .option(
      "--data-dir <dir>",
      "where to keep uploads, parts and files, across restarts (default: a temp dir, removed on exit)",
    )
    .option("--tls-cert <file>", "serve https with this certificate (PEM); needs --tls-key")
    .option("--tls-key <file>", "the certificate's private key (PEM)")
    .option(
      "--cors <origin>",
      "let web pages of this origin call it from a browser (repeat; * for any; default: pages served from this machine)",
      collect,
    )
    .option("--azure", "serve Azure OpenAI's paths (/openai/...) and auth (api-key header or Bearer token)")
    .action(
      run(
        async (
          ctx,
          opts: {
            port?: number;
            dataDir?: string;
            tlsCert?: string;
            tlsKey?: string;
            cors?: string[];
            azure?: boolean;
          },
        ) => {
          if (opts.dataDir && (await stat(opts.dataDir).catch(() => undefined))?.isDirectory() === false) {
            throw new InvalidArgumentError(
              `--data-dir ${opts.dataDir} is a file; pass a directory (a missing one is created).`,
            );
          }
          const apiKey = ctx.globals.apiKey;
          // The server compares the whole Bearer token, which has no spaces: such a key could never match.
          if (apiKey !== undefined && !/^[!-~]+$/.test(apiKey)) {
            throw new InvalidArgumentError(
              "--api-key must be printable ASCII without spaces, as a Bearer token is; pass the key alone.",
            );
          }
          const tls = await readTls(opts.tlsCert, opts.tlsKey);
          const cors = opts.cors === undefined ? undefined : opts.cors.includes("*") ? ("*" as const) : opts.cors;
          const azure = opts.azure === true;
          // Loaded here: the server (and busboy) are for this command only.
          const { AZURE_API_VERSIONS, startLocalServer } = await import("../server/server.js");
          const server = await startLocalServer({
            port: opts.port,
            dataDir: opts.dataDir,
            tls,
            apiKey,
            cors,
            azure,
          }).catch((error: unknown) => {
            const code = (error as { code?: string })?.code;
            if (code === "EADDRINUSE") {
              throw new InvalidArgumentError(
                `port ${opts.port} is in use; pick another --port, or leave it out for a free one.`,
              );
            }
            if (code === "EACCES")
              throw new InvalidArgumentError(`port ${opts.port} needs privileges; pick one above 1023.`);
            throw error;
          });
          ctx.result(
            azure
              ? { url: server.url, dataDir: server.dataDir, azure: true }
              : { url: server.url, dataDir: server.dataDir },
          );
          const accepts = azure ? "api-key header or bearer token" : "bearer token";
          ctx.say(
            `local Uploads server${azure ? " (Azure OpenAI mode)" : ""} listening at ${server.url} (${apiKey === undefined ? `any ${accepts}` : "only the --api-key key"}); Ctrl-C stops it`,
          );
          ctx.say(
            `data dir: ${server.dataDir} (${opts.dataDir === undefined ? "a temp dir, removed on exit" : "kept: a restart on it carries on"})`,
          );
          ctx.say("to point a shell's client at it:");
          if (azure) {
            ctx.say(`  export AZURE_OPENAI_ENDPOINT=${server.url}`);
            if (apiKey === undefined) ctx.say(`  export AZURE_OPENAI_API_KEY=${ANY_KEY}  # any key works`);
            else ctx.say("  and set AZURE_OPENAI_API_KEY to the --api-key value (only that key is accepted)");
            ctx.say(`  export OPENAI_API_VERSION=${AZURE_API_VERSIONS[0]}`);
          } else {
            ctx.say(`  export OPENAI_BASE_URL=${server.url}`);
            if (apiKey === undefined) ctx.say(`  export OPENAI_API_KEY=${ANY_KEY}  # any token works`);
            else ctx.say("  and set OPENAI_API_KEY to the --api-key value (only that key is accepted)");
          }
          if (!ctx.signal.aborted) await once(ctx.signal, "abort").catch(() => {});
          await server.close();
        },
      ),
    );
  addExamples(serve, [
    { summary: "Kept across restarts, on a fixed port.", args: ["--port", "8080", "--data-dir", "./uploads-data"] },
    { summary: "For a page served from another machine.", args: ["--cors", "https://app.example.com"] },
    { summary: "As Azure OpenAI serves it, for an AzureOpenAI client.", args: ["--azure"] },
  ]);
}

/** `--tls-cert` and `--tls-key` read, both or neither; a file that cannot be read is a usage error naming it. */
async function readTls(certFile: string | undefined, keyFile: string | undefined) {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new InvalidArgumentError("--tls-cert and --tls-key go together; pass both, or neither for plain http.");
  }
  const read = (flag: string, file: string) =>
    readFile(file).catch(() => {
      throw new InvalidArgumentError(`${flag} ${file} cannot be read; pass a PEM file.`);
    });
  return { cert: await read("--tls-cert", certFile), key: await read("--tls-key", keyFile) };
}
