import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

/** A running Prism process. */
export interface RunningPrism {
  /** Where Prism listens, without a base path: `http://127.0.0.1:PORT`. */
  url: string;
  /** Stops Prism (SIGTERM, then SIGKILL after a grace period) and resolves once it has exited. */
  stop(): Promise<void>;
  /** Resolves when the process has exited, for whatever reason, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const require = createRequire(import.meta.url);
const OUTPUT_KEPT = 20_000;
const KILL_GRACE_MS = 2_000;

/** Prism's CLI entry point, resolved from its package so no npx wrapper sits between us and the process. */
function prismBin(): string {
  const manifestPath = require.resolve("@stoplight/prism-cli/package.json");
  const manifest = require(manifestPath) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin.prism;
  if (!bin) throw new Error(`${manifestPath} has no 'prism' bin`);
  return join(dirname(manifestPath), bin);
}

/** A port that was free a moment ago: the OS picks one for a throwaway listener, which is then closed. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  // `once` rejects on an "error" event (the process could not be spawned): it never ran, so it is gone.
  return once(child, "exit").then(
    ([code, signal]) => ({ code, signal }),
    () => ({ code: child.exitCode, signal: child.signalCode }),
  );
}

async function kill(child: ChildProcess): Promise<void> {
  const done = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  await done;
  clearTimeout(timer);
}

/**
 * Starts Prism with `args` (e.g. `["mock", "openapi/uploads.yaml", "--errors"]` or
 * `["proxy", "openapi/uploads.yaml", upstreamUrl, "--errors"]`) on `port` (default: a free one) of 127.0.0.1,
 * and resolves once it prints "Prism is listening". Rejects, with Prism's output in the
 * message and the process already gone, if it prints a fatal line, exits, or is not ready
 * within `timeoutMs` (default 30 s). `onOutput`, if given, receives everything Prism prints once it is
 * ready (its request log), e.g. to echo it in the foreground.
 */
export async function startPrism(
  args: string[],
  options: { timeoutMs?: number; port?: number; onOutput?: (text: string) => void } = {},
): Promise<RunningPrism> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [prismBin(), ...args, "--port", String(port), "-h", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exit = exited(child);
  let output = "";
  let isReady = false;
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`Prism ${why}.\nArguments: ${args.join(" ")}\nOutput:\n${output}`));
    let partialLine = "";
    const onData = (chunk: Buffer) => {
      if (isReady) {
        options.onOutput?.(chunk.toString());
        return;
      }
      // Prism's output is read for as long as it runs, so it never blocks on a full pipe;
      // only the tail is kept, for error messages.
      output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
      const lines = (partialLine + chunk.toString()).split("\n");
      partialLine = lines.pop() ?? "";
      for (const line of lines) {
        if (line.includes("Prism is listening")) resolve();
        else if (/fatal/i.test(line)) fail("reported a fatal error");
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (error) => fail(`could not be started (${error.message})`));
    child.once("exit", (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    timer = setTimeout(() => fail(`was not ready within ${timeoutMs} ms`), timeoutMs);
  });

  const stop = () => kill(child);
  try {
    await ready;
    isReady = true;
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { url: `http://127.0.0.1:${port}`, stop, exited: exit };
}
