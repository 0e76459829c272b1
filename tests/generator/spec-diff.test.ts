import { describe, expect, it } from "vitest";
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
    expect(result.stdout).toMatch(/1 major, 0 minor, 1 patch; info.version 1.0.0 -> 2.0.0/);
  });

  it("accepts a compatible change", async () => {
    const result = await diff("base.yaml", "compatible.yaml");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^0 major/m);
  });
});
