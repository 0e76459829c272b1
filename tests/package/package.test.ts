import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { describe, expect, inject, it } from "vitest";
import { startPrism } from "../../scripts/lib/prism.js";
import type { Upload } from "../../src/index.js";
import { startLocalServer } from "../../src/testing.js";
import { VERSION } from "../../src/version.js";

// What another repository meets: the packed tarball, installed into a project of its own.

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

// Packed and installed once for the whole package suite, by tests/package/global-setup.ts.
const tarball = inject("tarball");
const consumer = inject("consumerDir");

/** Runs `file` with node in the consumer project; rejects with its output if it exits non-zero. */
async function inConsumer(file: string, args: string[], env: Record<string, string> = {}) {
  try {
    return await run(process.execPath, [file, ...args], { cwd: consumer, env: { ...process.env, ...env } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    throw new Error(`${file} ${args.join(" ")} failed:\n${stdout}${stderr}`);
  }
}

describe("the packed tarball", () => {
  it("holds dist, the spec, README, CHANGELOG and LICENSE, and nothing else", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const files = stdout.trim().split("\n").sort();
    const allowed =
      /^package\/(package\.json|README\.md|CHANGELOG\.md|LICENSE|openapi\/uploads\.yaml|dist\/(src|generated|cli|lib)\/.+\.(js|d\.ts|js\.map))$/;
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
    // One command line: the bundle; the modules it was bundled from stay out.
    expect(files.filter((file) => file.startsWith("package/dist/src/cli/"))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        "package/openapi/uploads.yaml",
        "package/dist/src/index.js",
        "package/dist/src/index.web.js",
        "package/dist/src/index.d.ts",
        "package/dist/src/testing.js",
        "package/dist/cli/bin.js",
        "package/dist/lib/index.js",
        "package/LICENSE",
        "package/CHANGELOG.md",
      ]),
    );
  });

  it("passes publint, strict", async () => {
    const bytes = await readFile(tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer },
      strict: true,
    });
    expect(messages.map((message) => formatMessage(message, pkg))).toEqual([]);
  });

  it("passes Are the Types Wrong for ESM consumers", async () => {
    const attw = join(require.resolve("@arethetypeswrong/cli/package.json"), "../dist/index.js");
    // The YAML spec is a file to read, not a module for TypeScript to type; the package is ESM-only.
    const args = ["--profile", "esm-only", "--no-definitely-typed", "--exclude-entrypoints", "./openapi.yaml"];
    const result = await run(process.execPath, [attw, tarball, ...args, "--format", "ascii", "--no-color"]).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect(result, result.stdout).not.toHaveProperty("failed");
  });
});

describe("a consumer project with the tarball installed", () => {
  const tsc = () => join(consumer, "node_modules/typescript/bin/tsc");

  it("type-checks Node code and its misuse lines under a strict tsconfig, without skipLibCheck", async () => {
    await expect(inConsumer(tsc(), ["-p", "tsconfig.json"])).resolves.toBeDefined();
  });

  it("type-checks every TypeScript example of the README, as a consumer would paste it", async () => {
    const readme = await readFile("README.md", "utf8");
    const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const dir = join(consumer, "readme");
    await mkdir(dir, { recursive: true });
    // Each example is a module of its own (top-level await, its own imports).
    const files = await Promise.all(
      examples.map(async (code, i) => {
        await writeFile(join(dir, `example-${i}.ts`), `${code}\nexport {};\n`);
        return `readme/example-${i}.ts`;
      }),
    );
    const tsconfig = JSON.parse(await readFile(join(consumer, "tsconfig.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>;
    };
    const options = { ...tsconfig.compilerOptions, lib: ["ES2023", "DOM"], noEmit: true, outDir: undefined };
    await writeFile(join(consumer, "tsconfig.readme.json"), JSON.stringify({ compilerOptions: options, files }));
    await expect(inConsumer(tsc(), ["-p", "tsconfig.readme.json"])).resolves.toBeDefined();
  });

  it("type-checks browser code without Node's types", async () => {
    await expect(inConsumer(tsc(), ["-p", "tsconfig.browser.json"])).resolves.toBeDefined();
  });

  it("runs the four operations against Prism started from the shipped spec, and uploadFile from disk", async () => {
    // Compiled by the type-check above, when it ran; the program is its output.
    if (!existsSync(join(consumer, "out/node.js"))) await inConsumer(tsc(), ["-p", "tsconfig.json"]);
    const spec = createRequire(join(consumer, "package.json")).resolve("openai-uploads/openapi.yaml");
    // realpath: on macOS the temp dir is reached through a symlink.
    expect(realpathSync(spec)).toBe(realpathSync(join(consumer, "node_modules/openai-uploads/openapi/uploads.yaml")));
    const prism = await startPrism(["mock", spec, "--errors"]);
    try {
      const { stdout } = await inConsumer("out/node.js", [], { PRISM_URL: prism.url });
      expect(stdout).toBe("operations: ok\nuploadFile: ok\n");
    } finally {
      await prism.stop();
    }
  });

  it("bundles for the browser from the default condition, without Node built-ins, and uploads", async () => {
    const outfile = join(consumer, "out/browser.js");
    const result = await build({
      entryPoints: [join(consumer, "browser.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      outfile,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => input.endsWith("openai-uploads/dist/src/index.web.js"))).toHaveLength(1);
    expect(inputs.filter((input) => input.includes("/upload/node/"))).toEqual([]);

    const local = await startLocalServer({ apiKey: "sk-browser" });
    try {
      const bytes = randomBytes(250 * 1024);
      const { run: upload } = (await import(pathToFileURL(outfile).href)) as {
        run: (baseUrl: string, apiKey: string, bytes: Uint8Array<ArrayBuffer>) => Promise<Upload>;
      };
      const result = await upload(local.url, "sk-browser", bytes);
      expect(result).toMatchObject({ status: "completed", bytes: bytes.length, filename: "page.html" });
      expect(sha256(await readFile(local.fileContentPath(result.file?.id ?? "") ?? ""))).toBe(sha256(bytes));
    } finally {
      await local.close();
    }
  });

  it("installs the openai-uploads command", async () => {
    const bin = join(consumer, "node_modules/.bin/openai-uploads");
    const { stdout } = await run(bin, ["--version"], { cwd: consumer });
    expect(stdout.trim()).toBe(VERSION);
  });
});
