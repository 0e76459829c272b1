import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleNode } from "./bundle.js";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** What `files` in package.json ships besides dist/; copied into the staging directory as they are. */
const SHIPPED_AS_IS = ["package.json", "README.md", "CHANGELOG.md", "LICENSE", "openapi"];

/**
 * Builds and packs the package the way `npm pack` would (prepack's `npm run build`: tsc and the
 * bundles, then the `files` list), but in a staging copy, so that the repository's own dist/ is never
 * rewritten under a process that is running from it. Resolves with the path of the tarball,
 * written to `destination`.
 */
export async function packTarball(destination: string): Promise<string> {
  await mkdir(destination, { recursive: true });
  const stage = await mkdtemp(join(tmpdir(), "openai-uploads-stage-"));
  try {
    const tsc = require.resolve("typescript/bin/tsc");
    await run(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", join(stage, "dist")]);
    await bundleNode(join(stage, "dist"));
    await Promise.all(SHIPPED_AS_IS.map((entry) => cp(entry, join(stage, entry), { recursive: true })));
    const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], {
      cwd: stage,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    if (!packed) throw new Error(`npm pack printed no tarball: ${stdout}`);
    return join(destination, packed.filename);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
