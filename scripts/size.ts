/**
 * `npm run size [-- --check]`: bundles `{ createUploadsClient, uploadFile }` from the package's
 * browser entry the way a consumer's bundler would (esbuild, `--platform=browser`, minified,
 * tree-shaken, dynamic imports split into chunks of their own) and prints its gzip size beside
 * two references bundled the same way in the same run: openapi-fetch alone, and one
 * `uploads.create` call of the official openai SDK. The size is what a page loads up front;
 * what it loads only on use (the MD5's chunk) is totalled on a line of its own, with its own budget.
 * A Node built-in reachable from the entry fails the bundle. `--check` also fails when either
 * is over its budget.
 */
import { relative } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";

// 11,000 with the answers checked against the spec; 200 more for riding out outages
// (uploadFile's network patience and its options), which browsers need as much as Node;
// 2,100 more for streams of known size (a Response body, a generated export) that stop and
// cancel cleanly, the resume store a reloaded page continues from (held by one tab at a time,
// given up when it fails), and resume outcomes that say what to do; 100 more for a failed fetch
// that says it is often CORS in a page, and which headers the server must allow; 400 more for
// keys and tokens from a function asked before each request (rotating keys, Entra ID tokens),
// checked then, with their own error (Azure's client is tree-shaken away when unused); 300 more
// for part sizes and concurrency chosen for the file, and for credential headers that give way
// to the credential's and wait no longer than the attempt; 1,500 fewer once the MD5 (bigger now,
// and WebAssembly) moved to a chunk that only uploads with md5 on load (12,422 B measured then);
// 300 more for taking every credential sent out of the errors a server's answer becomes, where
// a server or proxy quoted it back (12,839 B measured then); 200 more for the Web Lock that
// tells a reloaded page its earlier upload is no longer running, so it continues it (13,007 B);
// 100 more for redacting a secret's start where an answer was cut, in gateway headers too, and
// in another realm's Headers, without a JSON round trip (13,128 B); 100 more for a credential
// that fails before a retry saying what the attempts before it were (13,233 B).
const BUDGET_BYTES = 13_300;
// The MD5 an upload with md5 on loads: hash-wasm's WebAssembly one (about 5 KB, the module
// inline as base64) and the JavaScript one a page whose CSP refuses WebAssembly falls back to.
const ON_USE_BUDGET_BYTES = 7_500;

const BUNDLES = {
  "openai-uploads { createUploadsClient, uploadFile }": `export { createUploadsClient, uploadFile } from "./src/index.web.ts";`,
  "openapi-fetch alone": `export { default } from "openapi-fetch";`,
  "openai SDK, one uploads.create call": `import OpenAI from "openai";
export const create = (apiKey) =>
  new OpenAI({ apiKey, dangerouslyAllowBrowser: true }).uploads.create({ bytes: 1, filename: "a.jsonl", mime_type: "text/jsonl", purpose: "batch" });`,
} as const;

/** The name esbuild gives the bundled entry, which stdin holds. */
const SOURCEFILE = "size-entry.ts";

/** Gzipped sizes of what `contents` pulls in, bundled for a browser: loaded up front, and each chunk loaded on use. */
async function gzipSizes(contents: string): Promise<{ upFront: number; onUse: Map<string, number> }> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: "ts", sourcefile: SOURCEFILE },
    bundle: true,
    minify: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outdir: "size-out",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  // The metafile names outputs relative to the working directory, with forward slashes.
  const gzipped = new Map(
    result.outputFiles.map((file) => [
      relative(process.cwd(), file.path).replaceAll("\\", "/"),
      gzipSync(file.contents, { level: 9 }).length,
    ]),
  );
  const outputs = result.metafile.outputs;
  // Chunks split off for an import() carry an entryPoint too; the page's own is stdin's, by its sourcefile.
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === SOURCEFILE);
  if (!entry) throw new Error("esbuild produced no entry chunk");
  const upFront = staticClosure(outputs, entry);
  const sizeOf = (path: string) => {
    const size = gzipped.get(path);
    if (size === undefined) throw new Error(`the metafile names ${path}, which esbuild did not output`);
    return size;
  };
  const onUse = new Map(
    Object.keys(outputs)
      .filter((path) => path.endsWith(".js") && !upFront.has(path))
      .map((path) => [path, sizeOf(path)]),
  );
  return { upFront: [...upFront].reduce((sum, path) => sum + sizeOf(path), 0), onUse };
}

/** The chunk `from` and every chunk it imports statically, however deep: what loads before it runs. */
function staticClosure(outputs: Metafile["outputs"], from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const { path: imported, kind } of outputs[path]?.imports ?? [])
      if (kind === "import-statement") visit(imported);
  };
  visit(from);
  return seen;
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} KB`;
const check = process.argv.includes("--check");
try {
  const sizes = await Promise.all(Object.values(BUNDLES).map(gzipSizes));
  const names = Object.keys(BUNDLES);
  const width = Math.max(...names.map((name) => name.length));
  console.log(
    `minified + gzip, esbuild --platform=browser, loaded up front (budget for openai-uploads: ${kb(BUDGET_BYTES)})`,
  );
  names.forEach((name, i) => {
    console.log(`  ${name.padEnd(width)}  ${kb(sizes[i]?.upFront ?? 0)}`);
  });
  const ours = sizes[0] ?? { upFront: 0, onUse: new Map<string, number>() };
  const onUse = [...ours.onUse.values()].reduce((sum, size) => sum + size, 0);
  console.log(
    `openai-uploads: ${ours.upFront} B of ${BUDGET_BYTES} B up front, ${BUDGET_BYTES - ours.upFront} B to spare`,
  );
  console.log(`openai-uploads: ${onUse} B of ${ON_USE_BUDGET_BYTES} B loaded on use, in ${ours.onUse.size} chunk(s)`);
  if (check && ours.upFront > BUDGET_BYTES) {
    console.error(`openai-uploads is ${kb(ours.upFront)} up front, over its ${kb(BUDGET_BYTES)} budget.`);
    process.exit(1);
  }
  if (check && onUse > ON_USE_BUDGET_BYTES) {
    console.error(`openai-uploads loads ${kb(onUse)} on use, over its ${kb(ON_USE_BUDGET_BYTES)} budget.`);
    process.exit(1);
  }
} catch (error) {
  // esbuild's errors name the import that pulled a Node built-in (or anything else) in.
  console.error(`Bundling for the browser failed:\n${(error as Error).message}`);
  process.exit(1);
}
