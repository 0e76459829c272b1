/**
 * The long-link bench: uploads through bench/relay.ts, a relay that makes loopback look like a
 * long link (20 ms each way, 12.5 MB/s per connection, 100 MB/s in all), to the counting server
 * (bench/counting-server.ts), and reports how much of the link each way of uploading fills:
 * fill = achieved MB/s / 100 MB/s (MB = 10^6 bytes; the time runs from the first request to
 * the completed upload).
 *
 * In one run, for a 512 MiB, a 128 MiB and a 1 MiB file:
 * - `uploadFile` with its defaults (no partSize, no concurrency; so md5 on);
 * - at 512 and 128 MiB, the same with md5 off: what hashing costs an upload on a link;
 * - `uploadFile` over a sweep of part sizes (8, 16, 32, 64 MiB) x concurrencies (4, 8, 16);
 * - the official SDK's parts loop (`uploads.parts.create`, 64 MiB parts, 4 at a time, as
 *   bench/client.ts drives it);
 * - a sequential loop, one 64 MiB part at a time, through this client's `addUploadPart` (the
 *   way the Python SDK's `upload_file_chunked` goes);
 * - for the 1 MiB file, one create + part + complete by hand with this client.
 * Each upload runs in its own process (a bundle of this file, built with esbuild), the rows
 * rotate round by round so that the machine's noise falls on all of them, and the tables give
 * medians. The defaults (and the hand-made upload) get `--rounds` (default 3), every other row
 * `--compare-rounds` (default 1), and at 1 MiB every row gets at least 5. A sweep cell that
 * uploads the same way as a row before it (the same part size, as many parts in flight: the
 * defaults' own cell; at 128 MiB, its 4 parts of 32 MiB at concurrency 8 or 16) is not run
 * again but shown with that row's figures. The whole sweep of the 512 MiB file and its sequential loop would
 * take 90 s more than the 3 minutes the bench is kept to, for answers the link's caps give: at
 * 512 MiB the concurrency-4 cells but the old defaults (64 MiB x 4), bound at 0.50, and the
 * sequential loop, bound at 0.125 (both run at 128 MiB), are left to `--full`.
 * `tsx bench/long-link.ts [--rounds N] [--compare-rounds N] [--full]` runs it alone;
 * `npm run bench` runs it last, with its defaults.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { openAsBlob } from "node:fs";
import { mkdir, mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs, promisify } from "node:util";
import { median } from "./median.js";
import { LONG_LINK as LINK, LONG_LINK_WORDS, startRelay } from "./relay.js";

const MiB = 1024 * 1024;
const SIZES = [512 * MiB, 128 * MiB, 1 * MiB];
const SWEEP_PART_SIZES = [8, 16, 32, 64].map((m) => m * MiB);
const SWEEP_CONCURRENCIES = [4, 8, 16];
/** The official SDK's loop and the sequential one use the SDKs' own part size: 64 MiB. */
const SDK_PART = 64 * MiB;
const SDK_CONCURRENCY = 4;
const TARGETS: Record<number, number> = { [512 * MiB]: 0.85, [128 * MiB]: 0.75 };
const BUILD_DIR = "dist-bench/long-link";

/** One way of uploading, run in a child process. */
interface Job {
  kind: "uploadFile" | "openai-sdk" | "sequential" | "by-hand";
  path: string;
  url: string;
  partSize?: number;
  concurrency?: number;
  /** false: `md5: false`; otherwise uploadFile's default (on). */
  md5?: false;
}

interface Row {
  label: string;
  job: Omit<Job, "path" | "url">;
  /** Parts, and how many are in flight at once. */
  parts: number;
  partBytes: number;
  inFlight: number;
  /** How many rounds it is measured in. */
  rounds: number;
  /** A row that uploads the same way (same part size, same parts in flight): its figures are that row's. */
  sameAs?: Row;
  /** Why it is not measured in this run. */
  skipped?: string;
  ms: number[];
  connections: number[];
}

async function randomFileOf(path: string, size: number) {
  const file = await open(path, "w");
  for (let written = 0; written < size; written += 16 * MiB) {
    await file.write(randomBytes(Math.min(16 * MiB, size - written)));
  }
  await file.close();
}

/** Bundles this file (for the measured processes) and the counting server, so that no child pays for tsx. */
async function build() {
  const { build: esbuild } = await import("esbuild");
  await mkdir(BUILD_DIR, { recursive: true });
  const common = {
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "silent",
  } as const;
  await Promise.all([
    esbuild({ ...common, entryPoints: ["bench/long-link.ts"], outfile: `${BUILD_DIR}/long-link.mjs` }),
    esbuild({ ...common, entryPoints: ["bench/counting-server.ts"], outfile: `${BUILD_DIR}/counting-server.mjs` }),
  ]);
}

async function startCountingServer(): Promise<{ url: URL; child: ChildProcess }> {
  const child = spawn(process.execPath, [`${BUILD_DIR}/counting-server.mjs`], { stdio: ["ignore", "pipe", "ignore"] });
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), "line")) as [string];
  return { url: new URL(JSON.parse(line).url), child };
}

async function measure(job: Job): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [`${BUILD_DIR}/long-link.mjs`, "--child", JSON.stringify(job)],
    { maxBuffer: 1024 * 1024 },
  );
  return (JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as { ms: number }).ms;
}

interface Plan {
  rounds: number;
  compareRounds: number;
  full: boolean;
}

/** The rows for a file of `size` bytes, in the order they are printed. */
async function rowsFor(size: number, plan: Plan): Promise<Row[]> {
  const { choosePartSizing } = await import("../src/upload/part-plan.js");
  const small = size <= SDK_PART;
  const rows: Row[] = [];
  const add = (label: string, job: Row["job"], partBytes: number, concurrency: number, main: boolean) => {
    const parts = Math.ceil(size / partBytes);
    const inFlight = Math.min(concurrency, parts);
    const row: Row = {
      label,
      job,
      parts,
      partBytes: Math.min(partBytes, size),
      inFlight,
      rounds: 0,
      ms: [],
      connections: [],
    };
    row.rounds = small ? Math.max(plan.rounds, 5) : main ? plan.rounds : plan.compareRounds;
    row.sameAs = rows.find(
      (other) =>
        other.job.kind === job.kind &&
        other.job.md5 === job.md5 &&
        other.partBytes === row.partBytes &&
        other.inFlight === inFlight,
    );
    rows.push(row);
    return row;
  };
  const chosen = choosePartSizing(size, { stream: false });
  add("uploadFile, defaults", { kind: "uploadFile" }, chosen.partSize, chosen.concurrency, true);
  if (!small)
    add("uploadFile, defaults, md5 off", { kind: "uploadFile", md5: false }, chosen.partSize, chosen.concurrency, true);
  if (small) {
    add("create + part + complete by hand", { kind: "by-hand" }, size, 1, true);
  } else {
    for (const concurrency of SWEEP_CONCURRENCIES) {
      for (const partSize of SWEEP_PART_SIZES) {
        const old = partSize === SDK_PART && concurrency === SDK_CONCURRENCY ? " (the old defaults)" : "";
        const row = add(
          `uploadFile, ${partSize / MiB} MiB x ${concurrency}${old}`,
          { kind: "uploadFile", partSize, concurrency },
          partSize,
          concurrency,
          false,
        );
        // Four connections carry at most 4 x 12.5 MB/s whatever the part size: at 512 MiB these
        // cells cost 45 s and are measured at 128 MiB, so only --full runs them (but the old defaults).
        if (size > 128 * MiB && concurrency === 4 && partSize !== SDK_PART && !plan.full && !row.sameAs) {
          row.skipped = "not run (--full runs it): 4 connections carry at most 0.50";
        }
      }
    }
  }
  add(`openai SDK parts loop, ${SDK_PART / MiB} MiB x ${SDK_CONCURRENCY}`, { kind: "openai-sdk" }, SDK_PART, 4, false);
  const sequential = add(
    `sequential addUploadPart, ${SDK_PART / MiB} MiB x 1`,
    { kind: "sequential" },
    SDK_PART,
    1,
    false,
  );
  if (size > 128 * MiB && !plan.full)
    sequential.skipped = "not run (--full runs it; 46 s): one connection carries at most 0.125";
  return rows;
}

const rate = (size: number, ms: number) => size / 1e6 / (ms / 1000);

/**
 * Runs the long-link bench and prints its tables: `rounds` for the defaults (and, at 1 MiB,
 * for every row: at least 5), `compareRounds` for the others; `full` also runs the slow rows
 * a link-bound answer is known for.
 */
export async function benchLongLink({ rounds = 3, compareRounds = 1, full = false }: Partial<Plan> = {}) {
  const started = performance.now();
  await build();
  const dir = await mkdtemp(join(tmpdir(), "openai-uploads-long-link-"));
  const server = await startCountingServer();
  const relay = await startRelay({ target: { host: server.url.hostname, port: Number(server.url.port) }, ...LINK });
  const url = new URL(server.url);
  url.port = String(relay.port);
  const linkMBps = LINK.totalBytesPerSecond / 1e6;
  const verdicts: string[] = [];
  let peakQueued = 0;
  try {
    console.log(
      `\nlong link: a relay with ${LONG_LINK_WORDS}; fill = MB/s / ${linkMBps}; MB/s = 10^6 bytes per second; medians ` +
        `(runs: how many); each upload in its own process\n`,
    );
    console.log("| file | client | parts | MB/s median (min-max) | fill | runs | connections |");
    console.log("|---|---|---|---|---|---|---|");
    for (const size of SIZES) {
      const path = join(dir, `long-link-${size / MiB}MiB.bin`);
      await randomFileOf(path, size);
      const rows = await rowsFor(size, { rounds, compareRounds, full });
      const measured = rows.filter((row) => !row.sameAs && !row.skipped);
      for (let round = 0; round < Math.max(...measured.map((row) => row.rounds)); round++) {
        const due = measured.filter((row) => round < row.rounds);
        for (const row of due.map((_, i) => due[(i + round) % due.length] as Row)) {
          relay.resetStats();
          row.ms.push(await measure({ ...row.job, path, url: url.href.replace(/\/$/, "") }));
          row.connections.push(relay.stats.connections);
          peakQueued = Math.max(peakQueued, relay.stats.peakQueuedBytes);
        }
      }
      for (const row of rows) {
        const { ms, connections } = row.sameAs ?? row;
        const shape = `${row.parts} x ${formatBytes(row.partBytes)}, ${row.inFlight} at a time`;
        const same = row.sameAs?.label.replace("uploadFile, ", "").replace(" (the old defaults)", "");
        const label = `${row.label}${same ? ` (as ${same})` : ""}`;
        if (row.skipped) {
          console.log(`| ${formatBytes(size)} | ${label} | ${shape} | ${row.skipped} | | 0 | |`);
          continue;
        }
        const rates = ms.map((m) => rate(size, m));
        console.log(
          `| ${formatBytes(size)} | ${label} | ${shape} | ` +
            `${median(rates).toFixed(1)} (${Math.min(...rates).toFixed(1)}-${Math.max(...rates).toFixed(1)}) | ` +
            `${(median(rates) / linkMBps).toFixed(2)} | ${ms.length} | ${Math.max(...connections)} |`,
        );
      }
      const defaults = rows[0] as Row;
      const target = TARGETS[size];
      if (target !== undefined) {
        const fill = median(defaults.ms.map((m) => rate(size, m))) / linkMBps;
        verdicts.push(
          `${fill >= target ? "met " : "MISS"} ${formatBytes(size)}: defaults fill ${fill.toFixed(2)} of the link (target >= ${target})`,
        );
        const md5Off = rows.find((row) => row.job.md5 === false) as Row;
        const onOverOff = median(md5Off.ms) / median(defaults.ms);
        verdicts.push(`     ${formatBytes(size)}: md5 on runs at ${onOverOff.toFixed(2)} of md5 off (defaults)`);
      } else {
        const byHand = rows.find((row) => row.job.kind === "by-hand") as Row;
        const ratio = median(defaults.ms) / median(byHand.ms);
        verdicts.push(
          `${ratio <= 1 ? "met " : "MISS"} ${formatBytes(size)}: defaults take ${median(defaults.ms).toFixed(0)} ms, ` +
            `create + part + complete by hand ${median(byHand.ms).toFixed(0)} ms (ratio ${ratio.toFixed(2)}, target <= 1)`,
        );
      }
      await rm(path);
    }
    console.log(`\n${verdicts.join("\n")}`);
    console.log(
      `long link: at most ${(peakQueued / MiB).toFixed(1)} MiB queued in the relay at once; ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s in all`,
    );
  } finally {
    await relay.close();
    server.child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  }
}

function formatBytes(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${(bytes / MiB).toFixed(1)} MiB`;
}

/** The measured process: one upload, then `{"ms": ...}` on stdout. */
async function child(job: Job): Promise<void> {
  const size = (await stat(job.path)).size;
  const create = { filename: basename(job.path), purpose: "batch", bytes: size, mime_type: "text/plain" } as const;
  let run: () => Promise<unknown>;
  if (job.kind === "openai-sdk") {
    const { default: OpenAI, toFile } = await import("openai");
    const { createReadStream } = await import("node:fs");
    run = async () => {
      const client = new OpenAI({ apiKey: "sk-bench", baseURL: job.url, maxRetries: 0 });
      const upload = await client.uploads.create(create);
      const ids: string[] = [];
      let next = 0;
      const worker = async () => {
        for (let start = next * SDK_PART; start < size; start = next * SDK_PART) {
          const index = next++;
          const end = Math.min(start + SDK_PART, size);
          const data = await toFile(createReadStream(job.path, { start, end: end - 1 }), "blob");
          ids[index] = (await client.uploads.parts.create(upload.id, { data })).id;
        }
      };
      await Promise.all(Array.from({ length: SDK_CONCURRENCY }, worker));
      await client.uploads.complete(upload.id, { part_ids: ids });
    };
  } else {
    const { createUploadsClient, uploadFile } = await import("../src/index.js");
    const client = createUploadsClient({ apiKey: "sk-bench", baseUrl: job.url, maxRetries: 0 });
    if (job.kind === "uploadFile") {
      run = () =>
        uploadFile(client, {
          file: job.path,
          purpose: "batch",
          mimeType: "text/plain",
          ...(job.partSize ? { partSize: job.partSize } : {}),
          ...(job.concurrency ? { concurrency: job.concurrency } : {}),
          ...(job.md5 === false ? { md5: false } : {}),
        });
    } else {
      // By hand, or the sequential loop: one part after another, each a slice of the file read from disk.
      const blob = await openAsBlob(job.path);
      const part = job.kind === "by-hand" ? size : SDK_PART;
      run = async () => {
        const upload = await client.createUpload(create);
        const ids: string[] = [];
        for (let start = 0; start < size; start += part) {
          ids.push((await client.addUploadPart(upload.id, { data: blob.slice(start, start + part) })).id);
        }
        await client.completeUpload(upload.id, { part_ids: ids });
      };
    }
  }
  const started = performance.now();
  await run();
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started })}\n`);
}

if (/long-link\.[cm]?[jt]s$/.test(process.argv[1] ?? "")) {
  const { values } = parseArgs({
    options: {
      child: { type: "string" },
      rounds: { type: "string", default: "3" },
      "compare-rounds": { type: "string", default: "1" },
      full: { type: "boolean", default: false },
    },
  });
  if (values.child) await child(JSON.parse(values.child) as Job);
  else {
    await benchLongLink({
      rounds: Number(values.rounds),
      compareRounds: Number(values["compare-rounds"]),
      full: values.full,
    });
  }
}
