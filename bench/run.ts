/**
 * `npm run bench [-- --rounds N --sizes 256,1024 --no-verify]`: compares, in one run,
 * uploadFile with a bare node:http baseline and the official SDK against a local server that
 * only counts bytes; each upload runs in its own process so that its peak RSS is its own.
 * Clients alternate round by round so that the machine's noise falls on all of them; the
 * table gives medians and ratios. Then it uploads the largest file through uploadFile to the
 * stateful local server under injected faults and checks it arrived byte-exact. Last, the
 * browser bench (bench/browser.ts): uploadFile in headless Chromium, md5 on and off, for the
 * same number of rounds, to the stateful local server and to the counting server; skipped,
 * saying so, where Chromium is not installed. After it, the long-link bench
 * (bench/long-link.ts), with its own rounds: through a relay that adds a round trip and caps
 * each connection and the link. The table's md5-alone row hashes the file and sends nothing,
 * for uploadFile-md5's ratio to it; md5-beside-upload hashes it the way an md5-on upload does
 * while an md5-off upload sends it: what overlapping can reach where the sending (and the
 * server) use the same cores. Last, start-up times (bench/startup.ts).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs, promisify } from "node:util";
import { createUploadsClient, uploadFile } from "../src/index.js";
import { startLocalServer } from "../src/testing.js";
import { benchBrowser } from "./browser.js";
import { benchLongLink } from "./long-link.js";
import { median } from "./median.js";
import { benchStartup } from "./startup.js";

const MiB = 1024 * 1024;
const KINDS = ["baseline", "uploadFile", "uploadFile-md5", "md5-alone", "md5-beside-upload", "openai-sdk"] as const;
/** uploadFile with MD5 against hashing the same file alone: the MD5 overlapped with sending. */
const TARGET_MD5_RATIO = 0.9;
const TARGET_RATIO = 0.85;
const TARGET_RSS_MB = 150;
// The measured processes run compiled JavaScript: tsx's loader alone adds ~40 MB of RSS.
const COMPILED = "dist-bench/bench";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    sizes: { type: "string", default: "256,1024" },
    verify: { type: "boolean", default: true },
    "no-verify": { type: "boolean" },
  },
});
const rounds = Number(values.rounds);
const sizes = (values.sizes ?? "").split(",").map((s) => Number(s) * MiB);

async function randomFileOf(path: string, size: number) {
  const file = await open(path, "w");
  for (let written = 0; written < size; written += 16 * MiB) {
    await file.write(randomBytes(Math.min(16 * MiB, size - written)));
  }
  await file.close();
}

async function startCountingServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [`${COMPILED}/counting-server.js`], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), "line")) as [string];
  return { url: JSON.parse(line).url, child };
}

async function measure(kind: string, path: string, url: string) {
  const { stdout } = await promisify(execFile)(process.execPath, [`${COMPILED}/client.js`, kind, path, url], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as { ms: number; maxRssMB: number };
}

async function sha256Of(path: string) {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

await promisify(execFile)(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.bench.json"]);
const dir = await mkdtemp(join(tmpdir(), "openai-uploads-bench-"));
const server = await startCountingServer();
const verdicts: string[] = [];
try {
  console.log(`rounds: ${rounds}; 64 MiB parts, 4 at a time; MB/s = 10^6 bytes per second; medians over rounds\n`);
  console.log(
    "| file | client | MB/s median (min-max) | vs baseline (median of per-round ratios) | peak RSS MB (max) |",
  );
  console.log("|---|---|---|---|---|");
  for (const size of sizes) {
    const path = join(dir, `bench-${size / MiB}MiB.bin`);
    await randomFileOf(path, size);
    const rates: Record<string, number[]> = Object.fromEntries(KINDS.map((k) => [k, []]));
    const rss: Record<string, number[]> = Object.fromEntries(KINDS.map((k) => [k, []]));
    for (let round = 0; round < rounds; round++) {
      const order = KINDS.map((_, i) => KINDS[(i + round) % KINDS.length] as string);
      for (const kind of order) {
        const { ms, maxRssMB } = await measure(kind, path, server.url);
        rates[kind]?.push(size / 1e6 / (ms / 1000));
        rss[kind]?.push(maxRssMB);
      }
    }
    const baseline = rates.baseline ?? [];
    for (const kind of KINDS) {
      const r = rates[kind] ?? [];
      const ratio = median(r.map((rate, i) => rate / (baseline[i] as number)));
      const peak = Math.max(...(rss[kind] ?? []));
      console.log(
        `| ${size / MiB} MiB | ${kind} | ${median(r).toFixed(0)} (${Math.min(...r).toFixed(0)}-${Math.max(...r).toFixed(0)}) | ${ratio.toFixed(2)} | ${peak.toFixed(0)} |`,
      );
      if (kind === "uploadFile-md5") {
        const alone = rates["md5-alone"] ?? [];
        const md5Ratio = median(r.map((rate, i) => rate / (alone[i] as number)));
        const beside = rates["md5-beside-upload"] ?? [];
        const floorRatio = median(r.map((rate, i) => rate / (beside[i] as number)));
        verdicts.push(
          `${md5Ratio >= TARGET_MD5_RATIO ? "met " : "MISS"} ${size / MiB} MiB: uploadFile (md5 on) / MD5 alone = ${md5Ratio.toFixed(2)} (target >= ${TARGET_MD5_RATIO})`,
          `     ${size / MiB} MiB: uploadFile (md5 on) / MD5 beside an md5-off upload = ${floorRatio.toFixed(2)} (this machine's floor for overlapped hashing)`,
        );
      }
      if (kind === "uploadFile") {
        verdicts.push(
          `${ratio >= TARGET_RATIO ? "met " : "MISS"} ${size / MiB} MiB: uploadFile (md5 off) / baseline = ${ratio.toFixed(2)} (target >= ${TARGET_RATIO})`,
          `${peak <= TARGET_RSS_MB ? "met " : "MISS"} ${size / MiB} MiB: uploadFile peak RSS ${peak.toFixed(0)} MB (target <= ${TARGET_RSS_MB})`,
        );
      }
    }
    if (size !== sizes.at(-1)) await rm(path);
  }
  console.log(`\n${verdicts.join("\n")}`);

  if (values.verify && !values["no-verify"]) {
    const size = sizes.at(-1) as number;
    const path = join(dir, `bench-${size / MiB}MiB.bin`);
    const local = await startLocalServer({
      faults: { seed: 7, errorRate: 0.1, dropBeforeStoreRate: 0.1, dropAfterStoreRate: 0.1, retryAfterMs: 20 },
    });
    try {
      const started = performance.now();
      const upload = await uploadFile(createUploadsClient({ apiKey: "sk-bench", baseUrl: local.url, maxRetries: 8 }), {
        file: path,
        purpose: "batch",
        mimeType: "application/octet-stream",
      });
      const seconds = (performance.now() - started) / 1000;
      const [sent, stored] = await Promise.all([
        sha256Of(path),
        sha256Of(local.fileContentPath(upload.file?.id ?? "") ?? ""),
      ]);
      console.log(
        `\nverify: ${size / MiB} MiB through uploadFile (md5 on) to the stateful local server with ` +
          `${local.stats.faults} injected faults, ${seconds.toFixed(1)} s: ` +
          `${sent === stored ? "byte-exact" : "MISMATCH"} (sha256 ${stored.slice(0, 16)}…)`,
      );
      if (sent !== stored) process.exitCode = 1;
    } finally {
      await local.close();
    }
  }
  await benchBrowser(rounds, server.url);
} finally {
  server.child.kill("SIGTERM");
  await rm(dir, { recursive: true, force: true });
}

await benchLongLink();
benchStartup(30);
