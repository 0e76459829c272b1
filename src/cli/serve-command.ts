import { once } from "node:events";
import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { startLocalServer } from "../server/server.js";
import type { Run } from "./context.js";
import { integerIn } from "./values.js";

/** `serve`: the local Uploads server in the foreground until Ctrl-C or SIGTERM. */
export function addServeCommand(program: Command, run: Run): void {
  program
    .command("serve")
    .description("Run the local Uploads server (for tests and demos) until stopped")
    .option("--port <n>", "port to listen on (default: a free one)", integerIn(0, 65535), 0)
    .option("--data-dir <dir>", "where to keep parts and files (default: a temp dir, removed on exit)")
    .option("--tls-cert <file>", "serve https with this certificate (PEM); needs --tls-key")
    .option("--tls-key <file>", "the certificate's private key (PEM)")
    .action(
      run(async (ctx, opts: { port: number; dataDir?: string; tlsCert?: string; tlsKey?: string }) => {
        if (opts.dataDir && (await stat(opts.dataDir).catch(() => undefined))?.isDirectory() === false) {
          throw new InvalidArgumentError(
            `--data-dir ${opts.dataDir} is a file; pass a directory (a missing one is created).`,
          );
        }
        const tls = await readTls(opts.tlsCert, opts.tlsKey);
        const server = await startLocalServer({ port: opts.port, dataDir: opts.dataDir, tls }).catch(
          (error: unknown) => {
            const code = (error as { code?: string })?.code;
            if (code === "EADDRINUSE") {
              throw new InvalidArgumentError(
                `port ${opts.port} is in use; pick another --port, or leave it out for a free one.`,
              );
            }
            if (code === "EACCES")
              throw new InvalidArgumentError(`port ${opts.port} needs privileges; pick one above 1023.`);
            throw error;
          },
        );
        ctx.result({ url: server.url });
        ctx.say(`local Uploads server listening at ${server.url} (any bearer token); Ctrl-C stops it`);
        if (!ctx.signal.aborted) await once(ctx.signal, "abort").catch(() => {});
        await server.close();
      }),
    );
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
