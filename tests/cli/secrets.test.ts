import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";
import { type CliResult, cli } from "./support.js";

// Two keys and a token, so that a leak names where it came from.
const ENV_KEY = "sk-from-the-environment-0123456789";
const FLAG_KEY = "sk-from-the-flag-9876543210";
const ENTRA_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.entra-token.signature";

/**
 * A server that answers the way each failure kind needs, its first path segment naming the
 * kind, and quotes the request's Authorization header back in every answer: the worst a proxy
 * or a broken server can do, so the CLI must keep the key out of what it prints by itself.
 */
function echoingServer(): Server {
  return createServer((req, res) => {
    const quoted = `you sent ${req.headers.authorization ?? "(no authorization)"}`;
    const kind = req.url?.split("/")[1];
    const error = (status: number) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: quoted, type: "invalid_request_error", code: null, param: null } }));
    };
    req.resume();
    req.on("end", () => {
      if (kind === "hang") return; // the attempt's timeout ends it
      if (kind === "status-404") return error(404);
      if (kind === "status-500") return error(500);
      if (kind === "garbage") {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end(`<html>${quoted}</html>`);
      }
      // "parts-fail": the upload is created, then every part fails, so the failure is resumable.
      if (req.url?.endsWith("/uploads")) {
        const now = Math.floor(Date.now() / 1000);
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            id: "upload_echo",
            object: "upload",
            bytes: 5,
            created_at: now,
            expires_at: now + 3600,
            filename: "a.txt",
            purpose: "batch",
            status: "pending",
          }),
        );
      }
      error(500);
    });
  });
}

let server: Server;
const sockets = new Set<Socket>();
let base: string;
let refused: string;
let file: string;

beforeAll(async () => {
  server = echoingServer();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port nothing listens on: bound, then closed.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  file = join(await tempDir("cli-secrets-"), "a.txt");
  await writeFile(file, "hello");
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const CANCEL = ["cancel", "--upload-id", "upload_1"];
const ONCE = ["--max-retries", "0", "--timeout", "1"];
/** An upload whose create succeeds and whose part fails at once: a resumable failure. */
const failingUpload = () => [
  "--base-url",
  `${base}/parts-fail`,
  ...ONCE,
  "upload",
  file,
  "--purpose",
  "batch",
  "--network-patience",
  "0",
];

/** Each failure kind: the arguments that cause it (after the key's flag), and what its error must say. */
const KINDS: Record<string, { args: () => string[]; says: RegExp; echoed?: boolean }> = {
  "connection refused": { args: () => ["--base-url", refused, ...ONCE, ...CANCEL], says: /ECONNREFUSED|refused/i },
  timeout: { args: () => ["--base-url", `${base}/hang`, ...ONCE, ...CANCEL], says: /timed out|timeout/i },
  "a 4xx answer": { args: () => ["--base-url", `${base}/status-404`, ...ONCE, ...CANCEL], says: /404/, echoed: true },
  "a 5xx answer": { args: () => ["--base-url", `${base}/status-500`, ...ONCE, ...CANCEL], says: /500/, echoed: true },
  "a garbage answer": {
    args: () => ["--base-url", `${base}/garbage`, ...ONCE, ...CANCEL],
    says: /not JSON/,
    echoed: true,
  },
  "a resumable upload failure": {
    args: () => failingUpload(),
    says: /500/,
    echoed: true,
  },
  "a usage error": { args: () => ["cancel"], says: /--upload-id/ },
};

/**
 * Where the key comes from: the arguments before the command's, and the environment. A token
 * goes to Azure, so its runs name the server with --azure-endpoint instead of --base-url.
 */
const SOURCES = {
  OPENAI_API_KEY: { key: ENV_KEY, flags: [] as string[], env: { OPENAI_API_KEY: ENV_KEY }, azure: false },
  "--api-key": { key: FLAG_KEY, flags: ["--api-key", FLAG_KEY], env: {}, azure: false },
  "--api-key=": { key: FLAG_KEY, flags: [`--api-key=${FLAG_KEY}`], env: {}, azure: false },
  "--azure-ad-token": { key: ENTRA_TOKEN, flags: ["--azure-ad-token", ENTRA_TOKEN], env: {}, azure: true },
};

const output = (result: CliResult) => result.stdout + result.stderr;

describe.each(Object.entries(SOURCES))("a key from %s", (_source, { key, flags, env, azure }) => {
  describe.each([
    ["text", []],
    ["--json", ["--json"]],
  ])("in %s mode", (_mode, mode) => {
    it.each(Object.entries(KINDS))("is not printed on %s", async (_kind, { args, says, echoed }) => {
      const target = args().map((arg) => (azure && arg === "--base-url" ? "--azure-endpoint" : arg));
      const result = await cli([...flags, ...mode, ...target], env);
      expect(result.code, output(result)).not.toBe(0);
      expect(output(result)).toMatch(says);
      expect(output(result)).not.toContain(key);
      // The server did quote it: what stands in its place shows the CLI took it out.
      if (echoed) expect(output(result)).toContain("you sent Bearer [redacted]");
    });
  });
});

describe("a key the CLI cannot know for one", () => {
  it("is not printed when a misspelled flag carries it", async () => {
    const result = await cli(["--api-kye", FLAG_KEY, ...CANCEL]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--api-kye'/);
    expect(output(result)).not.toContain(FLAG_KEY);
  });

  it("is not printed when a misspelled flag carries it after =", async () => {
    const result = await cli([`--api-kye=${FLAG_KEY}`, ...CANCEL]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--api-kye'/);
    expect(output(result)).not.toContain(FLAG_KEY);
  });
});

describe("the command a resumable failure prints", () => {
  it("says to pass --api-key again, which it does not print", async () => {
    const result = await cli(["--api-key", FLAG_KEY, ...failingUpload()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/to continue: openai-uploads upload .* --resume /);
    expect(result.stderr).toMatch(/pass --api-key again/);
  });

  it("says to pass --azure-ad-token again, a fresh one once expired, which it does not print", async () => {
    const azure = failingUpload().map((arg) => (arg === "--base-url" ? "--azure-endpoint" : arg));
    const result = await cli(["--azure-ad-token", ENTRA_TOKEN, ...azure]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/to continue: openai-uploads upload .*--azure-endpoint .* --resume /);
    expect(result.stderr).toMatch(/pass --azure-ad-token again, a fresh one once it has expired/);
    expect(output(result)).not.toContain(ENTRA_TOKEN);
    // From the environment, it is neither printed nor asked for again.
    const fromEnv = await cli(azure, { AZURE_OPENAI_AD_TOKEN: ENTRA_TOKEN });
    expect(fromEnv.stderr).toMatch(/you sent Bearer \[redacted\]/);
    expect(fromEnv.stderr).not.toMatch(/--azure-ad-token/);
    expect(output(fromEnv)).not.toContain(ENTRA_TOKEN);
  });

  it("needs no such word when the key is in the environment", async () => {
    const result = await cli(failingUpload(), { OPENAI_API_KEY: ENV_KEY });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/to continue: /);
    expect(result.stderr).not.toMatch(/--api-key/);
  });
});
