/**
 * `npm run generate [-- --check] [--spec FILE] [--out DIR]`: validates and lints the spec,
 * then writes generated/ (or, with --check, names each generated file that is stale).
 */
import { parseArgs } from "node:util";
import { ForeignOutDirError, renderTree, staleFiles, writeTree } from "./lib/generate.js";
import { SpecError } from "./lib/spec-error.js";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: "boolean", default: false },
      spec: { type: "string", default: "openapi/uploads.yaml" },
      out: { type: "string", default: "generated" },
      "lint-config": { type: "string", default: "redocly.yaml" },
    },
  });
  const tree = await renderTree({ specPath: values.spec, outDir: values.out, lintConfig: values["lint-config"] });
  if (values.check) {
    const stale = await staleFiles(values.out, tree);
    if (stale.length === 0) {
      console.log(`generate --check: ${values.out}/ matches ${values.spec}`);
      return 0;
    }
    for (const { file, reason } of stale) console.error(`stale: ${file} (${reason})`);
    console.error(
      `generate --check: ${values.out}/ does not match ${values.spec}; run \`npm run generate\` and commit the result`,
    );
    return 1;
  }
  const { written, removed } = await writeTree(values.out, tree);
  for (const file of written) console.log(`wrote ${file}`);
  for (const file of removed) console.log(`removed ${file} (not generated from the spec)`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known =
      error instanceof SpecError ||
      error instanceof ForeignOutDirError ||
      (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION";
    console.error(`generate: ${known ? (error as Error).message : (error as Error).stack}`);
    console.error("generate: nothing was written");
    process.exitCode = 1;
  },
);
