import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AZURE_API_VERSIONS, type LocalServer, startLocalServer } from "../../src/testing.js";
import { sha256 } from "../support/hashes.js";
import { TEST_API_KEY } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { CREATE_ARGS, cli } from "./support.js";

// The CLI against the local server's Azure mode, configured as Azure's users configure it.

let local: LocalServer;
let env: Record<string, string>;
beforeAll(async () => {
  local = await startLocalServer({ azure: true, apiKey: TEST_API_KEY });
  env = {
    AZURE_OPENAI_ENDPOINT: local.url,
    AZURE_OPENAI_API_KEY: TEST_API_KEY,
    OPENAI_API_VERSION: AZURE_API_VERSIONS[0] ?? "",
  };
});
afterAll(() => local.close());

describe("the command line with Azure OpenAI", () => {
  it("uploads a file byte-exact with only the three environment variables set", async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const file = { path: join(await tempDir("cli-azure-"), "sample.bin") };
    await writeFile(file.path, bytes);
    const result = await cli(["upload", file.path, "--purpose", "batch", "--part-size", "1MiB"], env);
    expect(result.stderr).not.toContain(TEST_API_KEY);
    expect(result.code).toBe(0);
    const upload = JSON.parse(result.stdout);
    expect(upload).toMatchObject({ status: "completed", bytes: 3 * 1024 * 1024 });
    expect(sha256(await readFile(local.fileContentPath(upload.file.id) ?? ""))).toBe(sha256(bytes));
  });

  it("runs an API command over the v1 API given by flags", async () => {
    const result = await cli(["--azure-endpoint", local.url, "--api-key", TEST_API_KEY, "--json", ...CREATE_ARGS], {});
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toMatchObject({ object: "upload", status: "pending" });
  });

  it.each([
    [
      "no key at all, though an OpenAI one is set",
      [] as string[],
      () => ({ AZURE_OPENAI_ENDPOINT: local.url, OPENAI_API_KEY: TEST_API_KEY }),
      /^openai-uploads: No Azure OpenAI key \(AZURE_OPENAI_ENDPOINT says to talk to Azure\): pass --api-key or --azure-ad-token, or set AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN\.$/m,
    ],
    [
      "both --api-key and --azure-ad-token",
      () => ["--azure-endpoint", local.url, "--api-key", TEST_API_KEY, "--azure-ad-token", TEST_API_KEY],
      () => ({}),
      /^openai-uploads: --api-key and --azure-ad-token are both given; pass one of them\.$/m,
    ],
    [
      "both AZURE_OPENAI_API_KEY and AZURE_OPENAI_AD_TOKEN, with no flag to choose",
      [] as string[],
      () => ({ ...env, AZURE_OPENAI_AD_TOKEN: TEST_API_KEY }),
      /AZURE_OPENAI_API_KEY and AZURE_OPENAI_AD_TOKEN are both set; pass --api-key or --azure-ad-token to choose/,
    ],
    [
      "--azure-ad-token without Azure",
      () => ["--base-url", `${local.url}/v1`, "--azure-ad-token", TEST_API_KEY],
      () => ({ OPENAI_API_KEY: TEST_API_KEY }),
      /--azure-ad-token is Azure's; pass --azure-endpoint/,
    ],
    [
      "a token with a line break inside",
      () => ["--azure-endpoint", local.url, "--azure-ad-token", `${TEST_API_KEY}\nx`],
      () => ({}),
      /--azure-ad-token has a space, a line break or a non-ASCII character inside/,
    ],
    [
      "both --base-url and --azure-endpoint",
      () => ["--base-url", `${local.url}/v1`, "--azure-endpoint", local.url],
      () => ({ AZURE_OPENAI_API_KEY: TEST_API_KEY }),
      /--base-url is OpenAI's and --azure-endpoint Azure's; pass one of them/,
    ],
    [
      "both OPENAI_BASE_URL and AZURE_OPENAI_ENDPOINT, with no flag to choose",
      [] as string[],
      () => ({ ...env, OPENAI_BASE_URL: `${local.url}/v1` }),
      /OPENAI_BASE_URL and AZURE_OPENAI_ENDPOINT are both set; pass --base-url or --azure-endpoint to choose/,
    ],
    [
      "--api-version without Azure",
      () => ["--base-url", `${local.url}/v1`, "--api-version", "2024-10-21"],
      () => ({ OPENAI_API_KEY: TEST_API_KEY }),
      /--api-version is Azure's; pass --azure-endpoint/,
    ],
    [
      "an endpoint that is not a URL",
      ["--azure-endpoint", "res.openai.azure.com"],
      () => ({ AZURE_OPENAI_API_KEY: TEST_API_KEY }),
      /endpoint "res.openai.azure.com" is not a URL/,
    ],
  ])("refuses %s with exit 2 before any request", async (_name, flags, given, message) => {
    const before = local.stats.requests;
    const result = await cli(
      [...(typeof flags === "function" ? flags() : flags), "cancel", "--upload-id", "upload_1"],
      given(),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain(TEST_API_KEY);
    expect(local.stats.requests).toBe(before);
  });

  it("uploads with a Microsoft Entra ID token, from --azure-ad-token or AZURE_OPENAI_AD_TOKEN", async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    const path = join(await tempDir("cli-azure-token-"), "sample.bin");
    await writeFile(path, bytes);
    const endpoint = { AZURE_OPENAI_ENDPOINT: local.url };
    for (const [flags, given] of [
      [["--azure-ad-token", TEST_API_KEY], endpoint],
      [[], { ...endpoint, AZURE_OPENAI_AD_TOKEN: TEST_API_KEY }],
    ] as const) {
      const result = await cli([...flags, "upload", path, "--purpose", "batch", "--part-size", "1MiB"], given);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain(TEST_API_KEY);
      const upload = JSON.parse(result.stdout);
      expect(sha256(await readFile(local.fileContentPath(upload.file.id) ?? ""))).toBe(sha256(bytes));
    }
  });

  it("sends the token as a Bearer token and no api-key, the flag winning over a key in the environment", async () => {
    const seen: Array<{ authorization?: string; apiKey?: string | string[] }> = [];
    const recorder = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization, apiKey: req.headers["api-key"] });
      req.resume();
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "no", type: "invalid_request_error", param: null, code: null } }));
    });
    await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
      const result = await cli(["--azure-ad-token", "entra-token-123456", "cancel", "--upload-id", "upload_1"], {
        AZURE_OPENAI_ENDPOINT: url,
        AZURE_OPENAI_API_KEY: TEST_API_KEY,
      });
      expect(result.code).toBe(1);
      expect(seen).toEqual([{ authorization: "Bearer entra-token-123456", apiKey: undefined }]);
    } finally {
      await new Promise((resolve) => recorder.close(resolve));
    }
  });

  it("--base-url beats AZURE_OPENAI_ENDPOINT in the environment: a flag says what is meant", async () => {
    const openai = await startLocalServer({ apiKey: TEST_API_KEY });
    try {
      const result = await cli(["--base-url", openai.url, "--json", ...CREATE_ARGS], {
        ...env,
        OPENAI_API_KEY: TEST_API_KEY,
      });
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toMatchObject({ object: "upload" });
      expect(openai.stats.requests).toBe(1);
    } finally {
      await openai.close();
    }
  });

  it("a wrong key is the server's 401, and the key is not shown", async () => {
    const result = await cli(["cancel", "--upload-id", "upload_1"], {
      ...env,
      AZURE_OPENAI_API_KEY: "azure-wrong-key-77",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/401/);
    expect(result.stderr + result.stdout).not.toContain("azure-wrong-key-77");
  });
});
