import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { runScript } from "../support/run-script.js";

const fixtures = "tests/generator/fixtures/diff";
const diff = (base: string, revision: string) =>
  runScript("scripts/spec-diff.ts", ["--base", `${fixtures}/${base}`, "--revision", `${fixtures}/${revision}`]);

describe("spec:diff", () => {
  it("fails on a breaking change that keeps the major version", async () => {
    const result = await diff("base.yaml", "breaking.yaml");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/major .*\n.*Properties of `Thing` became required: `size`/);
    expect(result.stderr).toMatch(
      /breaking change\(s\) but info.version's major stayed 1; raise it \(for example to 2\.0\.0\)/,
    );
  });

  it("accepts the same change when the major version was raised", async () => {
    const result = await diff("base.yaml", "breaking-major.yaml");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 major, 0 minor, \d+ patch; info.version 1.0.0 -> 2.0.0/);
  });

  it("accepts a compatible change", async () => {
    const result = await diff("base.yaml", "compatible.yaml");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^0 major/m);
  });
});

describe("spec:diff against git history", () => {
  const script = resolve("scripts/spec-diff.ts");
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  /** A repository holding the diff fixture as its spec, with `edits` committed one by one; returns its path. */
  async function history(edits: Array<(spec: string) => string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "spec-history-"));
    dirs.push(dir);
    const git = (...args: string[]) =>
      promisify(execFile)("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir });
    await git("init", "-q");
    // A fixture pinned at 1.0.0, not the live spec: these tests must not change meaning when it is versioned.
    await mkdir(join(dir, "openapi"));
    await cp(`${fixtures}/base.yaml`, join(dir, "openapi/uploads.yaml"));
    await cp("redocly.yaml", join(dir, "redocly.yaml"));
    await git("add", ".");
    await git("commit", "-qm", "spec 1.0.0");
    const spec = join(dir, "openapi/uploads.yaml");
    for (const [i, edit] of edits.entries()) {
      await writeFile(spec, edit(await readFile(spec, "utf8")));
      await git("commit", "-qam", `edit ${i}`);
    }
    return dir;
  }

  const requireSize = (spec: string) => spec.replace("required: [name]", "required: [name, size]");
  const reword = (spec: string) => spec.replace("description: OK", "description: Fine");
  const bump = (spec: string) => spec.replace("version: 1.0.0", "version: 2.0.0");

  it("still refuses a breaking change once a later commit under the same version followed it", async () => {
    const dir = await history([requireSize, reword]);
    const result = await runScript(script, [], { cwd: dir });
    expect(result.stdout).toMatch(/1 major, 0 minor, 1 patch; info.version 1.0.0 -> 1.0.0/);
    expect(result.code).toBe(1);
  });

  it("accepts a breaking change made with a major bump, and what follows it", async () => {
    const dir = await history([(spec) => bump(requireSize(spec)), reword]);
    const result = await runScript(script, [], { cwd: dir });
    expect(result.stdout).toMatch(/1 major, 0 minor, \d+ patch; info.version 1.0.0 -> 2.0.0/);
    expect(result.code).toBe(0);
  });

  it("refuses a breaking change committed with a bump that is not major", async () => {
    const minor = (spec: string) => spec.replace("version: 1.0.0", "version: 1.1.0");
    const dir = await history([(spec) => minor(requireSize(spec))]);
    const result = await runScript(script, [], { cwd: dir });
    expect(result.stdout).toMatch(/1 major, 0 minor, \d+ patch; info.version 1.0.0 -> 1.1.0/);
    expect(result.code).toBe(1);
  });

  it("names broken YAML instead of failing inside Redocly", async () => {
    const dir = await history([]);
    await writeFile(join(dir, "openapi/uploads.yaml"), "openapi: [\n");
    const result = await runScript(script, [], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^spec:diff: openapi\/uploads.yaml is not valid YAML: .*line \d+/m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
