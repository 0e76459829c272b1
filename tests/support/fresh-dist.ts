import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

// The CLI tests (and the lazy-loading test) run the built dist/, as a user runs the package. So
// that a test run checks what the source says, dist/ is built first when it is missing or older
// than a file of src/ or generated/ (the build and the bundles, as `npm run build` makes them). npm test builds just before, so there this costs a stat.

/** The newest modification time of the files under `dir`. */
async function newest(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const times = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await stat(join(entry.parentPath, entry.name))).mtimeMs),
  );
  return Math.max(0, ...times);
}

export default async function buildDistWhenStale(): Promise<void> {
  const built = await stat("dist/cli/bin.js").then(
    (info) => info.mtimeMs,
    () => 0,
  );
  const source = Math.max(await newest("src"), await newest("generated"));
  if (built >= source) return;
  const run = promisify(execFile);
  await run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"]);
  await run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/bundle.ts"]);
}
