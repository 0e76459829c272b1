/**
 * The Node entry and the `openai-uploads` command as bundles of this package's own modules:
 * `dist/lib/index.js` (the `node` export condition) and `dist/cli/bin.js` (the bin), with what
 * only some calls use (the upload machinery, the local server, the client in the CLI) split
 * into chunks loaded on use. npm packages stay imports of the installed dependencies; types
 * stay tsc's, in dist/src. Loading a few files instead of a few dozen is most of what start-up
 * takes (bench/startup.ts, ratio to a bare `node -e 0`): importing the package measured 1.47x
 * from dist/src and 1.08x bundled; `--version` 1.63x and 1.50x.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";

/** What is bundled, from where to where (under the dist directory). */
const BUNDLES = [
  { entry: "src/index.ts", out: "lib" },
  { entry: "src/cli/bin.ts", out: "cli" },
] as const;

/** Writes the bundles under `dist` (each directory emptied first), from the sources in src/. */
export async function bundleNode(dist = "dist"): Promise<void> {
  for (const { entry, out } of BUNDLES) {
    const outdir = join(dist, out);
    await rm(outdir, { recursive: true, force: true });
    await build({
      entryPoints: [entry],
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      // Stack traces that point into the bundle name the source files instead.
      sourcemap: true,
      logLevel: "warning",
    });
  }
}
