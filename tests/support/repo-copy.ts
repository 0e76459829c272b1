import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { runScript, type ScriptResult } from "./run-script.js";

const exec = promisify(execFile);

/** The spec as plain data, to edit the way a maintainer would. */
// biome-ignore lint/suspicious/noExplicitAny: tests reach deep into the YAML as a maintainer edits it, by path.
export type SpecDocument = Record<string, any>;

/**
 * A copy of what a maintainer edits and builds (the spec, src/, generated/, the tsconfigs and
 * package.json), in a directory at the repository's root so that node_modules resolves as it
 * does here. `generate` and `build` are `npm run generate` and `npm run build` on the copy.
 */
export async function copyOfRepo() {
  const dir = await mkdtemp(resolve(".spec-change-"));
  await Promise.all(
    ["src", "generated", "openapi", "package.json", "tsconfig.json", "tsconfig.build.json"].map((entry) =>
      cp(entry, join(dir, entry), { recursive: true }),
    ),
  );
  const specPath = join(dir, "openapi", "uploads.yaml");
  return {
    dir,
    async editSpec(edit: (spec: SpecDocument) => void): Promise<void> {
      const spec = parse(await readFile(specPath, "utf8")) as SpecDocument;
      edit(spec);
      await writeFile(specPath, stringify(spec));
    },
    generate: (): Promise<ScriptResult> =>
      runScript("scripts/generate.ts", ["--spec", specPath, "--out", join(dir, "generated")]),
    /** `tsc -p tsconfig.build.json` in the copy; resolves with tsc's output and whether it passed. */
    async build(): Promise<{ ok: boolean; output: string }> {
      const tsc = resolve("node_modules/typescript/bin/tsc");
      return exec(process.execPath, [tsc, "-p", join(dir, "tsconfig.build.json")]).then(
        ({ stdout }) => ({ ok: true, output: stdout }),
        (error: { stdout?: string }) => ({ ok: false, output: error.stdout ?? String(error) }),
      );
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
