import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { packTarball } from "../../scripts/lib/pack.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The packed tarball of the package, as `npm pack` writes it. */
    tarball: string;
    /** A project of its own (tests/package/fixtures/consumer) with that tarball installed. */
    consumerDir: string;
  }
}

const run = promisify(execFile);
const FIXTURE = "tests/package/fixtures/consumer";

/**
 * Packs the package and installs the tarball into a fresh consumer project, once for every
 * file of the package suite: a pack and an install take most of the suite's time. Removes both
 * afterwards.
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "openai-uploads-package-"));
  try {
    const tarball = await packTarball(dir);
    const consumer = join(dir, "consumer");
    await cp(FIXTURE, consumer, { recursive: true });
    // The consumer's tools at the versions this repository uses, so npm can serve them from its cache.
    const ours = JSON.parse(await readFile("package.json", "utf8")) as { devDependencies: Record<string, string> };
    const manifest = {
      name: "consumer",
      private: true,
      type: "module",
      dependencies: { "openai-uploads": `file:${tarball}` },
      devDependencies: {
        typescript: ours.devDependencies.typescript,
        "@types/node": ours.devDependencies["@types/node"],
      },
    };
    await writeFile(join(consumer, "package.json"), JSON.stringify(manifest, null, 2));
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: consumer });
    project.provide("tarball", tarball);
    project.provide("consumerDir", consumer);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return () => rm(dir, { recursive: true, force: true });
}
