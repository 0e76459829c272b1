/**
 * `npm run size [-- --check]`: bundles `{ createUploadsClient, uploadFile }` from the package's
 * browser entry the way a consumer's bundler would (esbuild, `--platform=browser`, minified,
 * tree-shaken) and prints its gzip size beside two references bundled the same way in the same
 * run: openapi-fetch alone, and one `uploads.create` call of the official openai SDK.
 * A Node built-in reachable from the entry fails the bundle. `--check` also fails when the
 * size is over the budget.
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

// 11,000 with the answers checked against the spec; 200 more for riding out outages
// (uploadFile's network patience and its options), which browsers need as much as Node;
// 2,100 more for streams of known size (a Response body, a generated export) that stop and
// cancel cleanly, the resume store a reloaded page continues from (held by one tab at a time,
// given up when it fails), and resume outcomes that say what to do; 100 more for a failed fetch
// that says it is often CORS in a page, and which headers the server must allow; 400 more for
// keys and tokens from a function asked before each request (rotating keys, Entra ID tokens),
// checked then, with their own error (Azure's client is tree-shaken away when unused); 300 more
// for part sizes and concurrency chosen for the file, and for credential headers that give way
// to the credential's and wait no longer than the attempt.
const BUDGET_BYTES = 14_100;

const BUNDLES = {
  "openai-uploads { createUploadsClient, uploadFile }": `export { createUploadsClient, uploadFile } from "./src/index.web.ts";`,
  "openapi-fetch alone": `export { default } from "openapi-fetch";`,
  "openai SDK, one uploads.create call": `import OpenAI from "openai";
export const create = (apiKey) =>
  new OpenAI({ apiKey, dangerouslyAllowBrowser: true }).uploads.create({ bytes: 1, filename: "a.jsonl", mime_type: "text/jsonl", purpose: "batch" });`,
} as const;

/** Minified and gzipped size in bytes of what `contents` pulls in, bundled for a browser. */
async function gzipSize(contents: string): Promise<number> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: "ts", sourcefile: "size-entry.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild produced no output");
  return gzipSync(output.contents, { level: 9 }).length;
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} KB`;
const check = process.argv.includes("--check");
try {
  const sizes = await Promise.all(Object.values(BUNDLES).map(gzipSize));
  const names = Object.keys(BUNDLES);
  const width = Math.max(...names.map((name) => name.length));
  console.log(`minified + gzip, esbuild --platform=browser (budget for openai-uploads: ${kb(BUDGET_BYTES)})`);
  names.forEach((name, i) => {
    console.log(`  ${name.padEnd(width)}  ${kb(sizes[i] ?? 0)}`);
  });
  const ours = sizes[0] ?? 0;
  console.log(`openai-uploads: ${ours} B of ${BUDGET_BYTES} B, ${BUDGET_BYTES - ours} B to spare`);
  if (check && ours > BUDGET_BYTES) {
    console.error(`openai-uploads is ${kb(ours)}, over its ${kb(BUDGET_BYTES)} budget.`);
    process.exit(1);
  }
} catch (error) {
  // esbuild's errors name the import that pulled a Node built-in (or anything else) in.
  console.error(`Bundling for the browser failed:\n${(error as Error).message}`);
  process.exit(1);
}
