/**
 * `npm run spec:diff [REF] [-- --base FILE --revision FILE]`: reports what changed in
 * openapi/uploads.yaml against a git ref with `redocly diff`, and fails on a breaking (major)
 * change unless the major of `info.version` was raised. The default ref is the last commit of
 * the spec under the previous `info.version`, so that every change made since (the bump's own
 * commit included) is judged together however many commits it took; a spec that has only ever
 * had one version is compared with its first commit.
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

/** The part of a parsed spec this script reads. */
type SpecHead = { info?: { version?: unknown } } | null;

/** `info.version` of a spec's text; undefined when the text is not YAML with one. */
function versionOf(text: string): string | undefined {
  try {
    const version = (parse(text) as SpecHead)?.info?.version;
    return typeof version === "string" ? version : undefined;
  } catch {
    return undefined;
  }
}

/** The ref to compare with by default (see the top of this file); undefined when there is none. */
async function defaultRef(): Promise<string | undefined> {
  // A repository without commits (or a checkout without git) has no earlier spec to compare with.
  const head = await git(["rev-parse", "--verify", "--quiet", "HEAD"]).catch(() => "");
  if (!head.trim()) return undefined;
  const current = versionOf(await readFile(SPEC, "utf8"));
  const commits = (await git(["log", "--format=%H", "--", SPEC])).split("\n").filter(Boolean);
  let introduced: string | undefined;
  for (const commit of commits) {
    const text = await git(["show", `${commit}:${SPEC}`]).catch(() => undefined);
    if (text === undefined) break; // the spec was deleted in this commit: history before it is another file
    if (versionOf(text) !== current) return commit;
    introduced = commit;
  }
  return introduced;
}

const major = (version: unknown) => Number.parseInt(String(version).split(".")[0] ?? "", 10);

/** Parses a spec so that broken YAML is named here, before Redocly would fail on it with a stack. */
async function readSpec(file: string, label: string): Promise<SpecHead> {
  try {
    return parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(
      `${label} is not valid YAML: ${(error as Error).message.split("\n")[0]?.replace(/:$/, "")}; \`npm run generate\` shows where.`,
    );
  }
}

async function diff(baseFile: string, revisionFile: string, baseLabel = baseFile): Promise<number> {
  const [base, revision] = await Promise.all([readSpec(baseFile, baseLabel), readSpec(revisionFile, revisionFile)]);
  const stdout = await redocly(["diff", baseFile, revisionFile, "--config", "redocly.yaml", "--format", "json"]);
  const report = JSON.parse(stdout) as DiffReport;
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
  for (const version of [versions.base, versions.revision]) {
    if (Number.isNaN(major(version))) {
      console.error(
        `spec:diff: info.version ${JSON.stringify(version)} is not MAJOR.MINOR.PATCH, so no major can be compared`,
      );
      return 1;
    }
  }
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
    return await diff(baseFile, values.revision ?? SPEC, `${SPEC} at ${ref}`);
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
