/**
 * `npm run spec:diff [REF] [-- --base FILE --revision FILE]`: reports what changed in
 * openapi/uploads.yaml against a git ref (default: the spec as it was before its latest
 * change) with `redocly diff`, and fails on a breaking (major) change unless the major
 * of `info.version` was raised.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { parse } from "yaml";
import { redocly } from "./lib/redocly.js";

const run = promisify(execFile);
const SPEC = "openapi/uploads.yaml";

interface DiffReport {
  summary: { major: number; minor: number; patch: number };
  changes: Array<{
    path: string;
    kind: string;
    impact: string;
    property?: string;
    verdicts: Array<{ message: string; ruleId: string; impact: string }>;
  }>;
}

async function git(args: string[]): Promise<string> {
  return (await run("git", args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** Picks the ref to compare with: the last commit if the spec has uncommitted edits, else the one before its last change. */
async function defaultRef(): Promise<string | undefined> {
  // A repository without commits (or a checkout without git) has no earlier spec to compare with.
  const head = await git(["rev-parse", "--verify", "--quiet", "HEAD"]).catch(() => "");
  if (!head.trim()) return undefined;
  const dirty = (await git(["status", "--porcelain", "--", SPEC])).trim() !== "";
  const commits = (await git(["log", "--format=%H", "-n", "2", "--", SPEC])).split("\n").filter(Boolean);
  if (dirty) return commits[0];
  const last = commits[0];
  if (!last) return undefined;
  const parent = await git(["rev-parse", "--verify", "--quiet", `${last}^`]).catch(() => "");
  return parent.trim() && commits[1] ? `${last}^` : undefined;
}

const major = (version: unknown) => Number.parseInt(String(version).split(".")[0] ?? "", 10);

async function diff(baseFile: string, revisionFile: string): Promise<number> {
  const stdout = await redocly(["diff", baseFile, revisionFile, "--config", "redocly.yaml", "--format", "json"]);
  const report = JSON.parse(stdout) as DiffReport;
  const [base, revision] = await Promise.all(
    [baseFile, revisionFile].map(async (f) => parse(await readFile(f, "utf8"))),
  );
  const versions = { base: base?.info?.version, revision: revision?.info?.version };

  for (const change of report.changes) {
    const what = change.verdicts.map((v) => v.message).join("; ") || `${change.kind} ${change.property ?? ""}`.trim();
    console.log(`${change.impact.padEnd(5)} ${change.path}\n      ${what}`);
  }
  const { major: breaking, minor, patch } = report.summary;
  console.log(
    `${breaking} major, ${minor} minor, ${patch} patch; info.version ${versions.base} -> ${versions.revision}`,
  );
  if (breaking === 0) return 0;
  if (major(versions.revision) > major(versions.base)) {
    console.log("spec:diff: breaking changes announced by a new major version");
    return 0;
  }
  console.error(
    `spec:diff: ${breaking} breaking change(s) but info.version's major stayed ${major(versions.base)}; ` +
      "raise it (for example to " +
      `${major(versions.base) + 1}.0.0) or make the change compatible`,
  );
  return 1;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { base: { type: "string" }, revision: { type: "string" } },
  });
  if (values.base) return diff(values.base, values.revision ?? SPEC);
  const ref = positionals[0] ?? (await defaultRef());
  if (!ref) {
    console.log(`spec:diff: ${SPEC} has no earlier version in git; nothing to compare`);
    return 0;
  }
  const dir = await mkdtemp(join(tmpdir(), "spec-diff-"));
  try {
    const baseFile = join(dir, "base.yaml");
    await writeFile(baseFile, await git(["show", `${ref}:${SPEC}`]));
    console.log(`spec:diff: ${SPEC} at ${ref} -> working tree`);
    return await diff(baseFile, values.revision ?? SPEC);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const stderr = (error as { stderr?: string }).stderr;
    console.error(`spec:diff: ${stderr?.trim() || (error as Error).message}`);
    process.exitCode = 2;
  },
);
