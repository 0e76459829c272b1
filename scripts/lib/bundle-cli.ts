/**
 * The `openai-uploads` command as a bundle of this package's own
 * modules (dist/cli/bin.js), with what only some commands use (the local server, the upload
 * machinery, the client) split into chunks loaded on use. npm packages stay imports of the
 * installed dependencies. Loading a few files instead of a few dozen is most of what the
 * command takes to start: `--version` measured 1.6x a bare `node -e 0` from dist/src, 1.45x
 * bundled (bench/startup.ts).
 */
import { rm } from "node:fs/promises";
import { build } from "esbuild";

/** Writes the bundle to `outdir` (emptied first), from src/cli/bin.ts. */
export async function bundleCli(outdir = "dist/cli"): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: ["src/cli/bin.ts"],
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
}
