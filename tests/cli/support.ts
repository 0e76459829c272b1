import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** The built CLI: the tests run what the package ships (`npm test` builds it first). */
export const BIN = "dist/cli/bin.js";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process with its output so far. */
export interface CliProcess {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  done: Promise<CliResult>;
}

/** Where each CLI run keeps its resume state: removed once the test file is done. */
const STATE_ROOT = mkdtempSync(join(tmpdir(), "cli-state-"));
afterAll(() => rm(STATE_ROOT, { recursive: true, force: true }));

/**
 * Starts the CLI with `args`; the environment has no OPENAI_* or AZURE_OPENAI_* variables unless given, and its
 * stdin is `stdin` (default: empty).
 */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  { stdin }: { stdin?: NodeJS.ReadableStream } = {},
): CliProcess {
  // No OPENAI_* and no proxy settings of the machine's: each test gives the ones it is about.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(AZURE_)?OPENAI_/.test(k) && !/_proxy$/i.test(k)),
  );
  // Resume state goes to a directory of this run's own, unless the test shares one between runs.
  const state = { XDG_STATE_HOME: mkdtempSync(join(STATE_ROOT, "run-")) };
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...clean, ...state, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (stdin) {
    // The CLI may exit before reading all of it (a usage error): that is not the test's failure.
    child.stdin.on("error", () => {});
    stdin.pipe(child.stdin);
  } else {
    child.stdin.end();
  }
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (c: Buffer) => {
    output.stdout += c;
  });
  child.stderr.on("data", (c: Buffer) => {
    output.stderr += c;
  });
  const done = once(child, "close").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    ...output,
  }));
  return { child, output, done };
}

/** Runs the CLI to the end. */
export function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Resolves once `predicate` holds, polling; rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The arguments of a valid `create` of a small text file, for tests about everything else. */
export const CREATE_ARGS = [
  "create",
  "--bytes",
  "5",
  "--filename",
  "a.txt",
  "--mime-type",
  "text/plain",
  "--purpose",
  "batch",
] as const;
