import { writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUploadsClient, ProxyAuthenticationError, uploadFile } from "../../src/index.js";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { sha256 } from "../support/hashes.js";
import { KEY_ENV, TEST_API_KEY } from "../support/keys.js";
import { rejection } from "../support/rejection.js";
import { tempDir } from "../support/temp.js";
import { cli } from "./support.js";

const HOST = "uploads.test"; // no DNS answers for it: a request can reach the server only through the proxy
const dir = await tempDir("cli-proxy-");

/**
 * A forward proxy on loopback that sends every host to one test server: CONNECT tunnels (for
 * https) and absolute-URI requests (for http). It records what it was asked for.
 */
async function forwardProxy(targetPort: () => number) {
  const seen: string[] = [];
  const proxy: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "");
    seen.push(`${req.method} ${url.host}`);
    const forwarded = request(
      {
        host: "127.0.0.1",
        port: targetPort(),
        path: url.pathname + url.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forwarded);
  });
  proxy.on("connect", (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const upstream = connect(targetPort(), "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    for (const s of [socket, upstream]) s.on("error", () => {});
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    seen,
    close: () => {
      proxy.closeAllConnections();
      return new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

let plain: LocalServer;
let secure: LocalServer;
let caFile: string;
let file: string;
const port = (server: LocalServer) => Number(new URL(server.url).port);

beforeAll(async () => {
  plain = await startLocalServer({ apiKey: TEST_API_KEY });
  const pems = await generate([{ name: "commonName", value: HOST }], {
    keySize: 2048,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: HOST }] }],
  });
  caFile = join(dir, "ca.pem");
  await writeFile(caFile, pems.cert);
  secure = await startLocalServer({ apiKey: TEST_API_KEY, tls: { cert: pems.cert, key: pems.private } });
  file = join(dir, "sample.bin");
  await writeFile(file, Buffer.alloc(200 * 1024, 7));
}, 60_000);
afterAll(() => Promise.all([plain.close(), secure.close()]));

const upload = (baseUrl: string, extra: string[] = []) => [
  "--base-url",
  baseUrl,
  ...extra,
  "--json",
  "upload",
  file,
  "--purpose",
  "batch",
  "--mime-type",
  "application/octet-stream",
  "--part-size",
  "64KiB",
];

describe("uploads through an HTTP proxy named by the environment", () => {
  it("sends every request of an http upload through HTTP_PROXY, as absolute-URI requests", async () => {
    const proxy = await forwardProxy(() => port(plain));
    try {
      const before = plain.stats.requests;
      const result = await cli(upload(`http://${HOST}:${port(plain)}/v1`, ["--allow-insecure-http"]), {
        ...KEY_ENV,
        HTTP_PROXY: proxy.url,
      });
      expect(result.stderr).not.toMatch(/openai-uploads:/);
      expect(result.code).toBe(0);
      const done = JSON.parse(result.stdout);
      expect(
        sha256(
          Buffer.from(await (await import("node:fs/promises")).readFile(plain.fileContentPath(done.file.id) ?? "")),
        ),
      ).toBe(sha256(Buffer.alloc(200 * 1024, 7)));
      // create, 4 parts, complete: each one asked of the proxy, and nothing else reached the server.
      expect(proxy.seen.filter((s) => s === `POST ${HOST}:${port(plain)}`)).toHaveLength(6);
      expect(plain.stats.requests - before).toBe(6);
    } finally {
      await proxy.close();
    }
  });

  it("tunnels an https upload through HTTPS_PROXY with CONNECT, the certificate checked for the host", async () => {
    const proxy = await forwardProxy(() => port(secure));
    try {
      const before = secure.stats.requests;
      // Written without a scheme, as curl takes it: the proxy itself is plain http.
      const result = await cli(upload(`https://${HOST}:${port(secure)}/v1`), {
        ...KEY_ENV,
        HTTPS_PROXY: proxy.url.replace("http://", ""),
        NODE_EXTRA_CA_CERTS: caFile,
      });
      expect(result.stderr).not.toMatch(/openai-uploads:/);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: "completed" });
      expect(secure.stats.requests - before).toBe(6);
      expect(proxy.seen.length).toBeGreaterThan(0);
      expect(proxy.seen.every((s) => s === `CONNECT ${HOST}:${port(secure)}`)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("bypasses the proxy for a host NO_PROXY names, and never proxies loopback", async () => {
    const proxy = await forwardProxy(() => port(plain));
    try {
      const bypassed = await cli(upload(`http://${HOST}:${port(plain)}/v1`, ["--allow-insecure-http"]), {
        ...KEY_ENV,
        HTTP_PROXY: proxy.url,
        NO_PROXY: HOST,
      });
      // Straight to a host no DNS knows: it fails, and the proxy never saw it.
      expect(bypassed.code).toBe(1);
      const loopback = await cli(upload(plain.url), { ...KEY_ENV, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
      expect(loopback.code).toBe(0);
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe("the proxy option and bad proxies", () => {
  it("sends through the `proxy` option, and `proxy: false` ignores the environment", async () => {
    const proxy = await forwardProxy(() => port(plain));
    try {
      const client = createUploadsClient({
        apiKey: TEST_API_KEY,
        baseUrl: `http://${HOST}:${port(plain)}/v1`,
        allowInsecureHttp: true,
        proxy: proxy.url,
      });
      const done = await uploadFile(client, { file, purpose: "batch", mimeType: "application/octet-stream" });
      expect(done.status).toBe("completed");
      expect(proxy.seen.length).toBe(3);
      expect(createUploadsClient({ apiKey: TEST_API_KEY, proxy: false }).runtime.proxy()).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it("names a proxy that is not a URL, or cannot be reached, without its credentials", async () => {
    const notUrl = await cli(["cancel", "--upload-id", "upload_1"], {
      ...KEY_ENV,
      HTTPS_PROXY: "http://user:hunter2@[bad",
    });
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/The proxy .* is not an http:\/\/ or https:\/\/ URL/);
    const unreachable = await cli(["--base-url", `https://${HOST}/v1`, "cancel", "--upload-id", "upload_1"], {
      ...KEY_ENV,
      HTTPS_PROXY: "http://user:hunter2@127.0.0.1:9",
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.split("\n").filter((l) => l.startsWith("openai-uploads:"))).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/proxy http:\/\/127\.0\.0\.1:9/);
    // A password with a slash and a hash in it must not be taken for a host and shown.
    const tricky = await cli(["cancel", "--upload-id", "upload_1"], {
      ...KEY_ENV,
      HTTPS_PROXY: "http://user:s3cr/et#1@proxy.corp:3128",
    });
    expect(tricky.code).toBe(2);
    expect(tricky.stderr).toMatch(/The proxy "http:\/\/proxy\.corp:3128"/);
    for (const result of [notUrl, unreachable]) expect(result.stderr + result.stdout).not.toContain("hunter2");
    expect(tricky.stderr + tricky.stdout).not.toMatch(/s3cr|et#1/);
  });

  it("names a proxy that answers 407, once, without retrying or showing its credentials", async () => {
    let asked = 0;
    const strict: Server = createServer((_req, res) => {
      asked++;
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="corp"', "content-length": "0" }).end();
    });
    strict.on("connect", (_req, socket) => {
      asked++;
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n',
      );
    });
    await new Promise<void>((resolve) => strict.listen(0, "127.0.0.1", resolve));
    const proxyPort = (strict.address() as AddressInfo).port;
    try {
      const result = await cli(["--base-url", `https://${HOST}/v1`, "cancel", "--upload-id", "upload_1"], {
        ...KEY_ENV,
        HTTPS_PROXY: `http://user:hunter2@127.0.0.1:${proxyPort}`,
      });
      expect(result.code).toBe(1);
      const lines = result.stderr.split("\n").filter((l) => l.startsWith("openai-uploads:"));
      expect(lines).toEqual([
        `openai-uploads: proxy http://127.0.0.1:${proxyPort} answered 407 Proxy Authentication Required: it refused the credentials in its URL; check them.`,
      ]);
      expect(result.stderr).not.toContain("hunter2");
      expect(asked).toBe(1);
      const client = createUploadsClient({
        apiKey: TEST_API_KEY,
        baseUrl: `http://${HOST}/v1`,
        allowInsecureHttp: true,
        proxy: `http://127.0.0.1:${proxyPort}`,
      });
      const error = await rejection(
        uploadFile(client, { file, purpose: "batch", mimeType: "text/plain" }),
        ProxyAuthenticationError,
      );
      expect(error.message).toMatch(/it wants credentials/);
      expect(asked).toBe(2);
    } finally {
      strict.closeAllConnections();
      await new Promise<void>((resolve) => strict.close(() => resolve()));
    }
  });
});
