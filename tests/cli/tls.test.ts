import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { sha256 } from "../support/hashes.js";
import { KEY_ENV } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { CREATE_ARGS, cli, startCli, until } from "./support.js";

const dir = await tempDir("cli-tls-");
let server: LocalServer;
let caFile: string;
let keyFile: string;

beforeAll(async () => {
  // A certificate made here for the names the client uses: 127.0.0.1 (the server's URL) and localhost.
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    extensions: [
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  caFile = join(dir, "cert.pem");
  keyFile = join(dir, "key.pem");
  await writeFile(caFile, pems.cert);
  await writeFile(keyFile, pems.private);
  server = await startLocalServer({ tls: { cert: pems.cert, key: pems.private } });
}, 60_000);
afterAll(() => server.close());

const create = CREATE_ARGS;

describe("the command line over https", () => {
  it("uploads byte-exact when the certificate is trusted through NODE_EXTRA_CA_CERTS", async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1$/);
    const file = join(dir, "sample.bin");
    const bytes = createHash("sha512").update("tls").digest();
    await writeFile(file, Buffer.concat(Array.from({ length: 4096 }, () => bytes)));
    // Parts streamed with node:https, in 64 KiB parts so there are several.
    const upload = await cli(
      ["--base-url", server.url, "--json", "upload", file, "--purpose", "batch", "--part-size", "64KiB"],
      { ...KEY_ENV, NODE_EXTRA_CA_CERTS: caFile },
    );
    expect(upload.stderr).not.toMatch(/openai-uploads:/);
    expect(upload.code).toBe(0);
    const done = JSON.parse(upload.stdout);
    expect(done.status).toBe("completed");
    const stored = server.fileContentPath(done.file.id) ?? "";
    expect(sha256(await readFile(stored))).toBe(sha256(await readFile(file)));
    // A plain call goes through fetch's own TLS stack.
    const created = await cli(["--base-url", server.url, "--json", ...create], {
      ...KEY_ENV,
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ status: "pending" });
  });

  it.each([
    ["a plain call", () => [...create]],
    ["an upload", () => ["upload", caFile, "--purpose", "batch", "--mime-type", "text/plain"]],
  ])("refuses an untrusted certificate for %s: one line naming the problem, nothing sent", async (_, args) => {
    const before = server.stats.requests;
    const result = await cli(["--base-url", server.url, ...args()], KEY_ENV);
    expect(result.code).toBe(1);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("openai-uploads:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/the server's TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    expect(lines[0]).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(server.stats.requests).toBe(before);
  });
});

describe("serve over https", () => {
  it("serves https with --tls-cert and --tls-key, which a trusting client then uses", async () => {
    const serve = startCli(["--json", "serve", "--tls-cert", caFile, "--tls-key", keyFile]);
    try {
      await until(() => serve.output.stdout.includes("\n"));
      const { url } = JSON.parse(serve.output.stdout) as { url: string };
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1$/);
      const created = await cli(["--base-url", url, "--json", ...create], { ...KEY_ENV, NODE_EXTRA_CA_CERTS: caFile });
      expect(created.code).toBe(0);
    } finally {
      serve.child.kill("SIGINT");
      await serve.done;
    }
  });

  it("refuses --tls-cert without --tls-key, exit 2", async () => {
    const result = await cli(["serve", "--tls-cert", caFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--tls-cert and --tls-key go together/);
  });
});
