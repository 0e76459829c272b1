import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import {
  chromiumMissing,
  launchChromium,
  type RunningChromium,
  type ServedPage,
  servePage,
} from "../../scripts/lib/chromium.js";
import type { Upload, UploadStart } from "../../src/index.js";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { sha256 } from "../support/hashes.js";
import { tempDir } from "../support/temp.js";

// uploadFile as a web app runs it: the installed tarball, bundled for the browser, in Chromium,
// on a page of one origin (a static server) sending a file picked in its input to the local
// server on another origin, through CORS.

const MiB = 1024 * 1024;
const API_KEY = "sk-page";
const consumer = inject("consumerDir");
const missing = chromiumMissing();

/** What tests/package/fixtures/consumer/page.ts takes; it is compiled in the consumer project, not here. */
interface PageUpload {
  baseUrl: string;
  apiKey: string;
  partSize: number;
  concurrency: number;
  md5: boolean;
}

/** What page.ts puts on `window`. */
interface PageWindow {
  upload(settings: PageUpload): Promise<Upload>;
  uploadAndAbort(settings: PageUpload): Promise<{ uploadId?: string; [field: string]: unknown }>;
  uploadWithStore(settings: PageUpload): Promise<{ upload: Upload; start: UploadStart | undefined }>;
  cancel(baseUrl: string, apiKey: string): Promise<{ name: string; message: string } | undefined>;
}

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

let local: LocalServer;
let pageScript = "";
const chunks: Record<string, string> = {};
let site: ServedPage;
let browser: RunningChromium;
let page: Page;

beforeAll(async () => {
  if (missing) {
    // CI installs Chromium (.ci/run): there, its absence is a broken machine, not a reason to skip.
    if (process.env.CI) throw new Error(missing);
    return;
  }
  // Split as a web app's bundler splits it: the MD5 is a chunk of its own, loaded on use.
  const bundle = await build({
    entryPoints: [join(consumer, "page.ts")],
    bundle: true,
    splitting: true,
    platform: "browser",
    format: "esm",
    outdir: "/page",
    write: false,
    logLevel: "silent",
  });
  for (const file of bundle.outputFiles) {
    const path = file.path.slice(file.path.lastIndexOf("/"));
    if (path === "/page.js") pageScript = file.text;
    else chunks[path] = file.text;
  }
  local = await startLocalServer({ apiKey: API_KEY });
  site = await servePage(pageScript, { scripts: chunks });
  browser = await launchChromium();
  page = await browser.context.newPage();
  // Counts WebAssembly compiles, so a test can tell the fast MD5 ran, not its fallback.
  await page.addInitScript(() => {
    const counted = window as unknown as { wasmCompiles: number };
    counted.wasmCompiles = 0;
    const { compile, instantiate } = WebAssembly;
    WebAssembly.compile = (...args) => {
      counted.wasmCompiles++;
      return compile(...args);
    };
    WebAssembly.instantiate = ((...args: Parameters<typeof instantiate>) => {
      counted.wasmCompiles++;
      return instantiate(...args);
    }) as typeof instantiate;
  });
  await page.goto(site.url);
});

beforeEach(({ skip }) => skip(missing !== undefined, missing));

// Whatever beforeAll got to start: it may have stopped half way, or skipped.
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await local?.close();
});

/** Picks `bytes` as a file in the page's input, as a user choosing it from disk would. */
const pick = (bytes: Buffer) =>
  page.setInputFiles("input[type=file]", { name: "data.bin", mimeType: "application/octet-stream", buffer: bytes });

// 1 MiB parts, 2 at a time: a file of a few MiB goes in several parts, some of them in flight together.
const settings = (md5: boolean): PageUpload => ({
  baseUrl: local.url,
  apiKey: API_KEY,
  partSize: MiB,
  concurrency: 2,
  md5,
});

/** Uploads the picked file from the page; resolves with the Upload and the body of its complete request. */
async function uploadFromPage(md5: boolean) {
  const [complete, upload] = await Promise.all([
    page.waitForRequest((request) => request.method() === "POST" && request.url().endsWith("/complete")),
    page.evaluate((options) => (window as unknown as PageWindow).upload(options), settings(md5)),
  ]);
  return { upload, completeBody: complete.postDataJSON() as { part_ids: string[]; md5?: string } };
}

async function storedSha256(upload: Upload) {
  const path = local.fileContentPath(upload.file?.id ?? "");
  if (!path) throw new Error(`the server has no file for upload ${upload.id}`);
  return sha256(await readFile(path));
}

describe("uploadFile in Chromium, from the installed tarball", () => {
  it("uploads a picked file byte-exact in parts, with its MD5, which the server checked", async () => {
    const bytes = randomBytes(3 * MiB + 5);
    await pick(bytes);
    const { upload, completeBody } = await uploadFromPage(true);
    expect(upload).toMatchObject({ status: "completed", bytes: bytes.length, filename: "data.bin" });
    expect(completeBody.part_ids).toHaveLength(4);
    // The server refuses a completion whose md5 is not that of the joined parts.
    expect(completeBody.md5).toBe(md5(bytes));
    // Computed in WebAssembly, which this page allows: the JavaScript MD5 is 6x slower.
    expect(await page.evaluate(() => (window as unknown as { wasmCompiles: number }).wasmCompiles)).toBeGreaterThan(0);
    expect(local.getUpload(upload.id)?.upload.status).toBe("completed");
    expect(await storedSha256(upload)).toBe(sha256(bytes));
  });

  it("uploads a picked file byte-exact without an MD5 when md5 is false", async () => {
    const bytes = randomBytes(2 * MiB + 7);
    await pick(bytes);
    const { upload, completeBody } = await uploadFromPage(false);
    expect(upload).toMatchObject({ status: "completed", bytes: bytes.length });
    expect(completeBody).not.toHaveProperty("md5");
    expect(await storedSha256(upload)).toBe(sha256(bytes));
  });

  it("rejects with APIUserAbortError when the page aborts after the first part, and cancels the upload", async () => {
    await pick(randomBytes(4 * MiB));
    const outcome = await page.evaluate(
      (options) => (window as unknown as PageWindow).uploadAndAbort(options),
      settings(true),
    );
    expect(outcome).toMatchObject({
      settled: "rejected",
      name: "APIUserAbortError",
      isAPIUserAbortError: true,
      cancelled: true,
      partsDoneAtAbort: 1,
      partsTotal: 4,
    });
    expect(local.getUpload(outcome.uploadId ?? "")?.upload.status).toBe("cancelled");
  });

  it("loads the MD5 on the first upload with md5 on, and falls back to JavaScript where the CSP refuses WebAssembly", async () => {
    // What a strict site sends: scripts from its own origin only, and no 'wasm-unsafe-eval'.
    const strict = await servePage(pageScript, {
      headers: { "content-security-policy": "script-src 'self'" },
      scripts: chunks,
    });
    const strictPage = await browser.context.newPage();
    try {
      await strictPage.goto(strict.url);
      const compiled = await strictPage.evaluate(() =>
        WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(
          () => "compiled",
          (error: Error) => error.name,
        ),
      );
      expect(compiled).toBe("CompileError");
      const bytes = randomBytes(2 * MiB + 3);
      await strictPage.setInputFiles("input[type=file]", {
        name: "data.bin",
        mimeType: "application/octet-stream",
        buffer: bytes,
      });
      const uploadWith = async (md5: boolean) => {
        const [complete] = await Promise.all([
          strictPage.waitForRequest((request) => request.url().endsWith("/complete")),
          strictPage.evaluate((options) => (window as unknown as PageWindow).upload(options), settings(md5)),
        ]);
        return complete.postDataJSON() as { md5?: string };
      };
      // The package's MD5 is a chunk of its own, which this page must not load up front.
      expect(Object.keys(chunks)).not.toEqual([]);
      const loadedScripts = () => strict.requested.filter((path) => path.endsWith(".js"));
      expect(await uploadWith(false)).not.toHaveProperty("md5");
      expect(loadedScripts()).toEqual(["/page.js"]);
      expect((await uploadWith(true)).md5).toBe(md5(bytes));
      expect(loadedScripts().sort()).toEqual(["/page.js", ...Object.keys(chunks)].sort());
    } finally {
      await strictPage.close();
      await strict.close();
    }
  });

  it("continues an upload after the page is reloaded mid-way, from localStorage, and sweeps dead entries", async () => {
    // A file on disk, as a user picks one: picked again after the reload, it has the same lastModified.
    const bytes = randomBytes(6 * MiB + 7);
    const path = join(await tempDir("browser-reload-"), "data.bin");
    await writeFile(path, bytes);
    await page.setInputFiles("input[type=file]", path);
    const expired = { version: 1, uploadId: "upload_gone", expiresAt: 1000, bytes: 1, partSize: 1, partIds: [null] };
    await page.evaluate((stale) => {
      localStorage.clear();
      localStorage.setItem("openai-uploads:expired", stale);
      localStorage.setItem("openai-uploads:torn", "{");
      localStorage.setItem("another-app", "kept");
    }, JSON.stringify(expired));
    // Each part's answer is held back a little, so that the reload comes while parts remain;
    // a part held when the page reloads is gone with it, and cannot be continued.
    await page.route("**/parts", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await route.continue().catch(() => {});
    });
    const settings = { baseUrl: local.url, apiKey: API_KEY, partSize: MiB, concurrency: 1, md5: true };
    const created = page.waitForResponse((r) => r.url().endsWith("/uploads") && r.status() === 200);
    let partsAccepted = 0;
    const twoParts = page.waitForResponse(
      (r) => r.url().endsWith("/parts") && r.status() === 200 && ++partsAccepted === 2,
    );
    // The page is reloaded under it: its promise rejects with the page's context gone.
    page.evaluate((options) => (window as unknown as PageWindow).uploadWithStore(options), settings).catch(() => {});
    const uploadId = ((await (await created).json()) as Upload).id;
    await twoParts;
    await page.reload();
    await page.unroute("**/parts");

    await page.setInputFiles("input[type=file]", path);
    const { upload, start } = await page.evaluate(
      (options) => (window as unknown as PageWindow).uploadWithStore(options),
      settings,
    );
    expect(start).toMatchObject({ uploadId, origin: "store", partsTotal: 7 });
    expect(start?.partsDone).toBeGreaterThanOrEqual(1);
    expect(upload).toMatchObject({ id: uploadId, status: "completed", bytes: bytes.length });
    expect(await storedSha256(upload)).toBe(sha256(bytes));
    // Completed, its entry is gone, and so is the expired upload's. What is not resume state stays.
    expect((await page.evaluate(() => Object.keys(localStorage))).sort()).toEqual([
      "another-app",
      "openai-uploads:torn",
    ]);
  });

  it("a second tab uploading the same file while the first runs starts its own upload, sharing none", async () => {
    const bytes = randomBytes(2 * MiB + 1);
    const path = join(await tempDir("browser-tabs-"), "data.bin");
    await writeFile(path, bytes);
    const second = await browser.context.newPage();
    try {
      await second.goto(site.url);
      await page.evaluate(() => localStorage.clear());
      for (const tab of [page, second]) await tab.setInputFiles("input[type=file]", path);
      // The first tab's parts are held back, so that it is still running, and saves nothing
      // new, while the second starts.
      await page.route("**/parts", async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue().catch(() => {});
      });
      const settings = { baseUrl: local.url, apiKey: API_KEY, partSize: MiB, concurrency: 1, md5: false };
      const created = page.waitForResponse((r) => r.url().endsWith("/uploads") && r.status() === 200);
      const first = page.evaluate((options) => (window as unknown as PageWindow).uploadWithStore(options), settings);
      await created;
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Its entry made to look saved two minutes ago: only its Web Lock now says it still runs.
      const aged = await page.evaluate(() =>
        Object.keys(localStorage)
          .filter((key) => key.startsWith("openai-uploads:"))
          .map((key) => {
            const entry = JSON.parse(localStorage.getItem(key) ?? "{}");
            localStorage.setItem(key, JSON.stringify({ ...entry, heldAt: Date.now() - 120_000 }));
            return key;
          }),
      );
      expect(aged).toHaveLength(1);
      const other = await second.evaluate(
        (options) => (window as unknown as PageWindow).uploadWithStore(options),
        settings,
      );
      const running = await first;
      await page.unroute("**/parts");
      expect(running.start?.origin).toBe("created");
      expect(other.start?.origin).toBe("created");
      expect(other.upload.id).not.toBe(running.upload.id);
      for (const { upload } of [running, other]) expect(await storedSha256(upload)).toBe(sha256(bytes));
    } finally {
      await second.close();
    }
  });

  it("a server that refuses the page's origin (CORS) is an APIConnectionError that says so", async () => {
    // Another origin than the page's is the only one this server lets call it from a browser.
    const elsewhere = await startLocalServer({ apiKey: API_KEY, cors: ["https://app.example"] });
    try {
      const failure = await page.evaluate(
        ([baseUrl, apiKey]) => (window as unknown as PageWindow).cancel(baseUrl as string, apiKey as string),
        [elsewhere.url, API_KEY],
      );
      expect(failure?.name).toBe("APIConnectionError");
      expect(failure?.message).toMatch(
        /in a web page this is often CORS: the server must allow its origin and the headers .*authorization/,
      );
      expect(failure?.message).not.toContain(API_KEY);
    } finally {
      await elsewhere.close();
    }
  });
});
