import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's chromium package (what .ci/run installs), unless CHROMIUM_PATH names another build. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why Chromium cannot run here, in one line; undefined when it can. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `No Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH.`;
}

// --no-sandbox: Chromium's sandbox refuses to start as root, which CI is. The rest keep Chromium
// from calling home (updates, sync, QUIC probes): on a closed network those calls are refused
// and slow the start. Playwright passes several of them itself today; they are named here so
// that the launch does not depend on its defaults.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A Chromium started by {@link launchChromium}. */
export interface RunningChromium {
  /** Its one browser context, on a profile of its own. */
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts headless Chromium on a fresh, empty profile, so no earlier run's state (cache, storage) leaks in. */
export async function launchChromium(): Promise<RunningChromium> {
  const profile = await mkdtemp(join(tmpdir(), "openai-uploads-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: ARGS });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

/** A page served by {@link servePage}. */
export interface ServedPage {
  /** The page's address: `http://127.0.0.1:PORT/`, an origin of its own. */
  readonly url: string;
  /** The paths asked for so far, in order. */
  readonly requested: readonly string[];
  /** Stops serving, cutting off open connections. */
  close(): Promise<void>;
}

/** What {@link servePage} serves besides its page and script. */
export interface PageExtras {
  /** Headers on the page's own answer (a Content-Security-Policy, say). */
  headers?: Record<string, string>;
  /** More scripts by path (`/chunk-X.js`): the chunks a bundler split `script` into. */
  scripts?: Record<string, string>;
}

/**
 * Serves, on loopback and a free port, one HTML page with a file input and `script` (an ES
 * module) at `/page.js`, and `extras.scripts`; anything else is a 404. The page is a real origin, so its calls to a
 * server on another port are cross-origin, as a web app's calls to an API are.
 */
export async function servePage(script: string, { headers = {}, scripts = {} }: PageExtras = {}): Promise<ServedPage> {
  const requested: string[] = [];
  const html = '<!doctype html><meta charset="utf-8"><input type="file"><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    requested.push(req.url ?? "");
    const extra = scripts[req.url ?? ""];
    if (extra !== undefined) res.writeHead(200, { "content-type": "text/javascript" }).end(extra);
    else if (req.url === "/") res.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" }).end(html);
    else if (req.url === "/page.js") res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    else res.writeHead(404).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requested,
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
