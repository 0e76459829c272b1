import { once } from "node:events";
import { stat } from "node:fs/promises";
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
    .action(
      run(async (ctx, opts: { port: number; dataDir?: string }) => {
        if (opts.dataDir && (await stat(opts.dataDir).catch(() => undefined))?.isDirectory() === false) {
          throw new InvalidArgumentError(
            `--data-dir ${opts.dataDir} is a file; pass a directory (a missing one is created).`,
          );
        }
        const server = await startLocalServer({ port: opts.port, dataDir: opts.dataDir }).catch((error: unknown) => {
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
        ctx.result({ url: server.url });
        ctx.say(`local Uploads server listening at ${server.url} (any bearer token); Ctrl-C stops it`);
        if (!ctx.signal.aborted) await once(ctx.signal, "abort").catch(() => {});
        await server.close();
      }),
    );
}
