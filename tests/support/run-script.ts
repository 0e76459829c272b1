import { execFile } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const tsxCli = require.resolve("tsx/cli");

/** The outcome of a finished child process. */
export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript script of this repo with tsx, the way `npm run` does, and never throws on a non-zero exit. */
export function runScript(script: string, args: string[], options: { cwd?: string } = {}): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsxCli, script, ...args], { cwd: options.cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
