import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { promisify } from "node:util";

const require = createRequire(import.meta.url);
const cli = resolve(dirname(require.resolve("@redocly/cli/package.json")), "bin/cli.js");

/**
 * Runs the Redocly CLI with this Node (not npx, so no wrapper process) and returns its
 * stdout even when it exits non-zero, since its JSON report is what callers read.
 */
export async function redocly(args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], {
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? "";
    if (stdout.trim().startsWith("{")) return stdout;
    throw new Error(
      `redocly ${args[0]} failed: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`,
    );
  }
}
