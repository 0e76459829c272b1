/**
 * Start-up: how long the command line takes for `--version` and `upload --help`, and a bare
 * import of the package, each against `node -e 0` in the same run. Runs alternate, so the
 * machine's noise falls on all of them; the table gives medians of wall time and the ratio of
 * medians. Measures the built `dist/` (run `npm run build` first; `npm run bench` does).
 */
import { spawnSync } from "node:child_process";
import { median } from "./median.js";

/** What is timed, with the bound on its ratio to a bare `node -e 0`. */
const COMMANDS = [
  { name: "node -e 0", args: ["-e", "0"], target: undefined },
  { name: "openai-uploads --version", args: ["dist/cli/bin.js", "--version"], target: 1.5 },
  { name: "openai-uploads upload --help", args: ["dist/cli/bin.js", "upload", "--help"], target: 1.6 },
  {
    name: 'import("openai-uploads")',
    args: ["--input-type=module", "-e", 'await import("./dist/lib/index.js")'],
    target: 1.3,
  },
] as const;

/** Prints the start-up table after `rounds` alternating runs of each command (and 3 to warm the page cache). */
export function benchStartup(rounds: number): void {
  const times = COMMANDS.map(() => [] as number[]);
  for (let round = -3; round < rounds; round++) {
    COMMANDS.forEach((command, i) => {
      const started = performance.now();
      const run = spawnSync(process.execPath, command.args, { stdio: "ignore" });
      if (run.status !== 0) throw new Error(`${command.name} exited ${run.status}`);
      if (round >= 0) times[i]?.push(performance.now() - started);
    });
  }
  const bare = median(times[0] ?? []);
  console.log(`\nstart-up: ${rounds} alternating runs each, medians of wall time\n`);
  console.log("| command | ms (median) | vs node -e 0 | target |");
  console.log("|---|---|---|---|");
  COMMANDS.forEach((command, i) => {
    const ms = median(times[i] ?? []);
    const ratio = ms / bare;
    const verdict =
      command.target === undefined ? "" : `${ratio <= command.target ? "met" : "MISS"} <= ${command.target}`;
    console.log(`| ${command.name} | ${ms.toFixed(0)} | ${ratio.toFixed(2)} | ${verdict} |`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) benchStartup(Number(process.argv[2] ?? 30));
