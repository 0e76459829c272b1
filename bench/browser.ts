/**
 * The browser bench: uploadFile in headless Chromium, bundled from src/index.web.ts, sends a
 * 48 MiB File picked in a page's input (a file on disk, as a user's pick is) to the stateful
 * local server on loopback, from a page of another origin. md5 on and off alternate round by
 * round, after one warm-up upload of each; it prints the median MB/s of each and their ratio.
 * Against the local server, which joins the parts and checks the MD5 on completion as the API
 * does, md5 on includes that server's hashing too (on the same two cores); against the counting
 * server (`sinkUrl`), which only counts bytes, what is measured is the page's own cost. Last,
 * uploadFile's defaults send it to the counting server through bench/relay.ts's long link, as a
 * user's upload goes: there the link, not the two cores, sets the pace, and md5 on should cost
 * nothing.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { chromiumMissing, launchChromium, servePage } from "../scripts/lib/chromium.js";
import { startLocalServer } from "../src/testing.js";
import type { TimedUpload } from "./browser-page.js";
import { median } from "./median.js";
import { LONG_LINK, LONG_LINK_WORDS, startRelay } from "./relay.js";

const MiB = 1024 * 1024;
const SIZE = 48 * MiB;
const PART_SIZE = 8 * MiB;
const CONCURRENCY = 4;
const API_KEY = "sk-bench";

/**
 * Runs the browser bench for `rounds` rounds against the local server, then the counting server
 * at `sinkUrl`, and prints its lines; prints why, and returns, without Chromium.
 */
export async function benchBrowser(rounds: number, sinkUrl: string): Promise<void> {
  const missing = chromiumMissing();
  if (missing) {
    console.log(`\nbrowser: skipped. ${missing}`);
    return;
  }
  const bundle = await build({
    entryPoints: ["bench/browser-page.ts"],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  // What has been started, to stop in reverse order, however far the start got.
  const started: Array<() => Promise<unknown>> = [];
  try {
    const dir = await mkdtemp(join(tmpdir(), "openai-uploads-bench-browser-"));
    started.push(() => rm(dir, { recursive: true, force: true }));
    const local = await startLocalServer({ apiKey: API_KEY });
    started.push(() => local.close());
    const site = await servePage(bundle.outputFiles[0]?.text ?? "");
    started.push(() => site.close());
    const chromium = await launchChromium();
    started.push(() => chromium.close());
    const path = join(dir, "bench-48MiB.bin");
    await writeFile(path, randomBytes(SIZE));
    const page = await chromium.context.newPage();
    await page.goto(site.url);
    await page.setInputFiles("input[type=file]", path);
    const sink = new URL(sinkUrl);
    const relay = await startRelay({ target: { host: sink.hostname, port: Number(sink.port) }, ...LONG_LINK });
    started.push(() => relay.close());
    const throughRelay = new URL(sinkUrl);
    throughRelay.port = String(relay.port);
    const fixed = { partSize: PART_SIZE, concurrency: CONCURRENCY };
    const loopback = `on loopback, ${PART_SIZE / MiB} MiB parts, ${CONCURRENCY} at a time`;
    const servers = [
      { name: "the local server (joins the parts, checks the MD5)", url: local.url, how: loopback, sizing: fixed },
      { name: "the counting server (counts bytes)", url: sinkUrl, how: loopback, sizing: fixed },
      {
        name: "the counting server",
        url: throughRelay.href,
        how: `through a relay with ${LONG_LINK_WORDS}, uploadFile's default parts and concurrency`,
        sizing: {},
      },
    ];
    for (const server of servers) {
      const upload = (md5: boolean) => {
        const settings: TimedUpload = { baseUrl: server.url, apiKey: API_KEY, ...server.sizing, md5 };
        return page.evaluate((options) => window.timedUpload(options), settings);
      };
      // The first uploads compile the code paths (and load the MD5) and open the connections.
      await upload(true);
      await upload(false);
      const rates = { on: [] as number[], off: [] as number[] };
      for (let round = 0; round < rounds; round++) {
        for (const md5 of round % 2 ? [false, true] : [true, false]) {
          const ms = await upload(md5);
          rates[md5 ? "on" : "off"].push(SIZE / 1e6 / (ms / 1000));
        }
      }
      const on = median(rates.on);
      const off = median(rates.off);
      console.log(
        `\nbrowser: ${SIZE / MiB} MiB File from headless Chromium (${await chromium.context.browser()?.version()}) to ${server.name} ` +
          `${server.how}, ${rounds} rounds; MB/s medians (min-max)`,
      );
      const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
      console.log(`browser: md5 on  ${on.toFixed(0)} (${range(rates.on)})`);
      console.log(`browser: md5 off ${off.toFixed(0)} (${range(rates.off)})`);
      console.log(`browser: md5 on / md5 off = ${(on / off).toFixed(2)}`);
    }
  } finally {
    for (const stop of started.reverse()) await stop();
  }
}
