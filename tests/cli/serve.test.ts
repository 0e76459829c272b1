import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_API_KEY } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { type CliProcess, startCli, until } from "./support.js";

// One directory for the file, removed after it; each test takes a fresh one inside.
const root = await tempDir("serve-test-");
const freshDir = (name: string) => mkdtemp(join(root, `${name}-`));

const running: CliProcess[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.child.kill("SIGTERM");
    await cli.done;
  }
});

/** Starts `serve` and resolves once it has printed its URL and the export lines. */
async function serve(args: string[]): Promise<{ cli: CliProcess; url: string }> {
  const cli = startCli(["serve", ...args]);
  running.push(cli);
  await until(
    () =>
      /export OPENAI_API_KEY|set OPENAI_API_KEY|export OPENAI_API_VERSION/.test(cli.output.stderr) ||
      cli.child.exitCode !== null,
  );
  const { url } = JSON.parse(cli.output.stdout) as { url: string };
  return { cli, url };
}

const create = (url: string, key: string) =>
  fetch(`${url}/uploads`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ filename: "a.txt", purpose: "batch", bytes: 5, mime_type: "text/plain" }),
  });

describe("serve", () => {
  it("with --api-key accepts only that key, and prints the data dir and the export line but never the key", async () => {
    const dataDir = await freshDir("serve-key");
    const { cli, url } = await serve(["--api-key", TEST_API_KEY, "--data-dir", dataDir]);
    const refused = await create(url, "sk-wrong");
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
    expect((await create(url, TEST_API_KEY)).status).toBe(200);

    expect(JSON.parse(cli.output.stdout)).toEqual({ url, dataDir });
    expect(cli.output.stderr).toContain(`data dir: ${dataDir}`);
    expect(cli.output.stderr).toContain(`export OPENAI_BASE_URL=${url}\n`);
    expect(cli.output.stderr).toContain("set OPENAI_API_KEY to the --api-key value");
    expect(cli.output.stderr).not.toMatch(/export OPENAI_API_KEY/);
    expect(cli.output.stdout + cli.output.stderr).not.toContain(TEST_API_KEY);
  });

  it("without --api-key takes any token, and prints a placeholder key to export", async () => {
    const { cli, url } = await serve([]);
    expect((await create(url, "sk-anything")).status).toBe(200);
    expect(cli.output.stderr).toContain(`export OPENAI_BASE_URL=${url}\n`);
    expect(cli.output.stderr).toMatch(/export OPENAI_API_KEY=sk-local {2}# any token works/);
    expect(cli.output.stderr).toMatch(/data dir: \S+ \(a temp dir, removed on exit\)/);
  });

  it("with --azure serves Azure OpenAI's paths and prints the AZURE_OPENAI_* and OPENAI_API_VERSION lines", async () => {
    const { cli, url } = await serve(["--azure"]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(cli.output.stdout)).toMatchObject({ url, azure: true });
    expect(cli.output.stderr).toContain(`export AZURE_OPENAI_ENDPOINT=${url}\n`);
    expect(cli.output.stderr).toMatch(/export AZURE_OPENAI_API_KEY=sk-local {2}# any key works\n/);
    expect(cli.output.stderr).toContain("export OPENAI_API_VERSION=2024-10-21\n");
    expect(cli.output.stderr).not.toMatch(/OPENAI_BASE_URL|export OPENAI_API_KEY/);
    const created = await fetch(`${url}/openai/uploads?api-version=2024-10-21`, {
      method: "POST",
      headers: { "api-key": "any-key", "content-type": "application/json" },
      body: JSON.stringify({ filename: "a.txt", purpose: "batch", bytes: 5, mime_type: "text/plain" }),
    });
    expect(created.status).toBe(200);
    expect((await create(url, "sk-anything")).status).toBe(404);
  });

  it("with --azure and --api-key accepts only that key, and never prints it", async () => {
    const { cli, url } = await serve(["--azure", "--api-key", TEST_API_KEY]);
    const post = (key: string) =>
      fetch(`${url}/openai/v1/uploads`, {
        method: "POST",
        headers: { "api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ filename: "a.txt", purpose: "batch", bytes: 5, mime_type: "text/plain" }),
      });
    expect((await post("sk-wrong")).status).toBe(401);
    expect((await post(TEST_API_KEY)).status).toBe(200);
    expect(cli.output.stderr).toContain("set AZURE_OPENAI_API_KEY to the --api-key value");
    expect(cli.output.stderr).not.toMatch(/export AZURE_OPENAI_API_KEY/);
    expect(cli.output.stdout + cli.output.stderr).not.toContain(TEST_API_KEY);
  });

  it("--help lists --azure", async () => {
    const { stdout } = await startCli(["serve", "--help"]).done;
    expect(stdout).toMatch(/--azure +serve Azure OpenAI's paths/);
  });

  it("refuses an --api-key no Bearer header could carry", async () => {
    const cli = startCli(["serve", "--api-key", "two words"]);
    const result = await cli.done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--api-key must be printable ASCII without spaces/);
  });
});
