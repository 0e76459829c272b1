import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";
import { BIN } from "./support.js";

// Start-up time is measured by `npm run bench`; this holds the cause of the fast start: what a
// command that sends nothing, and a bare import, leave unloaded until they need it.

const run = promisify(execFile);
const dir = await tempDir("lazy-loading-");
const hooks = join(dir, "hooks.mjs");
const register = join(dir, "register.mjs");
await writeFile(
  hooks,
  `export async function load(url, context, next) { console.error("LOAD " + url); return next(url, context); }\n`,
);
// The ESM hook sees imports; require() (createRequire, CommonJS packages) goes through Module._load.
await writeFile(
  register,
  [
    `import Module, { register } from "node:module";`,
    `register(${JSON.stringify(pathToFileURL(hooks).href)});`,
    "const load = Module._load;",
    `Module._load = function (request, ...rest) { console.error("LOAD " + request); return load.call(this, request, ...rest); };`,
  ].join("\n"),
);

/** The modules node loads for `args`: imports by URL, requires by the name asked for. */
async function loaded(args: string[]): Promise<string[]> {
  const { stderr } = await run(process.execPath, ["--import", register, ...args]);
  return stderr.split("\n").flatMap((line) => (line.startsWith("LOAD ") ? [line.slice(5)] : []));
}

/** What only some commands need: the local server and its multipart parser, the progress bar, YAML, MIME types, proxies. */
const HEAVY =
  /\/src\/server\/|\/dist\/(cli|lib)\/server-\w+\.js$|(^|node_modules\/)(busboy|cli-progress|yaml|mime-types|mime-db|http-proxy-agent|https-proxy-agent|agent-base|proxy-from-env)(\/|$)/;

describe("loading only what is used", () => {
  it.each([
    ["openai-uploads --version", [BIN, "--version"]],
    ["openai-uploads upload --help", [BIN, "upload", "--help"]],
    [
      "import('openai-uploads')",
      ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL("dist/lib/index.js").href)})`],
    ],
  ])("%s loads none of the server, busboy, cli-progress, yaml, mime-types or the proxy agents", async (_name, args) => {
    const modules = await loaded(args);
    expect(modules.length).toBeGreaterThan(5);
    expect(modules.filter((url) => HEAVY.test(url))).toEqual([]);
  });

  it("import('openai-uploads') leaves the upload machinery for the first upload", async () => {
    const modules = await loaded([
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(pathToFileURL("dist/lib/index.js").href)})`,
    ]);
    expect(
      // The bundle's chunks are named after the modules they start from.
      modules.filter((url) => /\/dist\/lib\/(upload-file|platform)-\w+\.js$/.test(url)),
    ).toEqual([]);
  });
});
