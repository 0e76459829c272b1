import { once } from "node:events";
import type { Command } from "commander";
import { startLocalServer } from "../server/server.js";
import type { CommandContext } from "./context.js";
import { integerAtLeast } from "./values.js";

type Run = (action: (ctx: CommandContext, ...args: never[]) => Promise<void>) => (...args: unknown[]) => Promise<void>;

/** `serve`: the local Uploads server in the foreground until Ctrl-C or SIGTERM. */
export function addServeCommand(program: Command, run: Run): void {
  program
    .command("serve")
    .description("Run the local Uploads server (for tests and demos) until stopped")
    .option("--port <n>", "port to listen on (default: a free one)", integerAtLeast(0), 0)
    .option("--data-dir <dir>", "where to keep parts and files (default: a temp dir, removed on exit)")
    .action(
      run(async (ctx, opts: { port: number; dataDir?: string }) => {
        const server = await startLocalServer({ port: opts.port, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
        ctx.result({ url: server.url });
        ctx.say(`local Uploads server listening at ${server.url} (any bearer token); Ctrl-C stops it`);
        if (!ctx.signal.aborted) await once(ctx.signal, "abort").catch(() => {});
        await server.close();
      }),
    );
}
