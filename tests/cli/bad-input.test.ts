import { truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../generated/commands.js";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { KEY_ENV } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { CREATE_ARGS, cli } from "./support.js";

/** The commands of the CLI, whose own `--help` a usage hint names. */
const COMMANDS = [...commands.map((command) => command.command), "upload", "serve"];

let server: LocalServer;
const dir = await tempDir("cli-bad-input-");
beforeAll(async () => {
  server = await startLocalServer();
  await writeFile(join(dir, "small.txt"), "hello");
  await writeFile(join(dir, "data.unknownext"), "hello");
  await writeFile(join(dir, "huge.bin"), "");
  await truncate(join(dir, "huge.bin"), 8 * 1024 ** 3 + 1);
  await writeFile(join(dir, "300mib.bin"), "");
  await truncate(join(dir, "300mib.bin"), 300 * 1024 ** 2);
});
afterAll(() => server.close());

describe("a usage mistake exits 2 with one message, a hint, no stack and no request", () => {
  const cases: Array<[string, () => string[], RegExp, Record<string, string>?]> = [
    ["an unknown flag", () => ["cancel", "--upload-id", "upload_1", "--bogus"], /unknown option '--bogus'/],
    ["an unknown command", () => ["uplaod"], /unknown command 'uplaod'\n\(Did you mean upload\?\)/],
    [
      "--bytes abc",
      () => ["create", "--bytes", "abc", "--filename", "a.jsonl", "--mime-type", "text/jsonl", "--purpose", "batch"],
      /'--bytes <n>' argument 'abc' is invalid/,
    ],
    ["a missing --purpose", () => ["upload", join(dir, "small.txt")], /--purpose is required\./],
    [
      "a missing file and --purpose, in one message",
      () => ["upload"],
      /^openai-uploads: <file> and --purpose are required\.$/m,
    ],
    ["a missing file alone", () => ["upload", "--purpose", "batch"], /^openai-uploads: <file> is required\.$/m],
    [
      "every missing required flag, in one message",
      () => ["create", "--bytes", "5"],
      /^openai-uploads: --filename, --purpose and --mime-type are required\.$/m,
    ],
    [
      "an unknown purpose",
      () => ["upload", join(dir, "small.txt"), "--purpose", "training"],
      /argument 'training' is invalid. Allowed choices are assistants, batch/,
    ],
    [
      "--part-size 100MiB",
      () => ["upload", join(dir, "small.txt"), "--purpose", "batch", "--part-size", "100MiB"],
      /'--part-size <size>' argument '100MiB' is invalid. a part holds 1 byte to 64 MiB/,
    ],
    [
      "--part-size 1KiB for a 300 MiB file (300,000 parts)",
      () => ["upload", join(dir, "300mib.bin"), "--purpose", "batch", "--part-size", "1KiB"],
      /--part-size 1024 cuts .*300mib\.bin \(314572800 bytes\) into 307200 parts; an upload takes at most 10000\. Pass --part-size 31458\./,
    ],
    ["a file that does not exist", () => ["upload", join(dir, "nope.txt"), "--purpose", "batch"], /does not exist/],
    ["a directory", () => ["upload", dir, "--purpose", "batch"], /is a directory/],
    [
      "a file over 8 GiB",
      () => ["upload", join(dir, "huge.bin"), "--purpose", "batch", "--mime-type", "application/octet-stream"],
      /over the 8589934592 bytes \(8 GiB\) an upload can hold/,
    ],
    [
      "add-part --data that is missing",
      () => ["add-part", "--upload-id", "upload_1", "--data", join(dir, "x")],
      /does not exist/,
    ],
    ["no API key", () => ["cancel", "--upload-id", "upload_1"], /No API key: pass --api-key or set OPENAI_API_KEY/, {}],
    [
      "an --api-key with a space inside, naming the flag",
      () => ["--api-key", "sk-cli secret", "cancel", "--upload-id", "upload_1"],
      /^openai-uploads: --api-key has a space, a line break or a non-ASCII character inside/,
      {},
    ],
    [
      "a blank --api-key",
      () => ["--api-key", "  ", "cancel", "--upload-id", "upload_1"],
      /No API key: pass --api-key or set OPENAI_API_KEY/,
      {},
    ],
    [
      "--expires-after-seconds under an hour",
      () => [...CREATE_ARGS, "--expires-after-seconds", "5"],
      /'--expires-after-seconds <n>' argument '5' is invalid. expected a whole number from 3600 to 2592000/,
    ],
    [
      "an extension with no known MIME type, naming the flag",
      () => ["upload", join(dir, "data.unknownext"), "--purpose", "batch"],
      /from its extension\. Pass --mime-type\./,
    ],
    [
      "a --resume that is not a token",
      () => ["upload", join(dir, "small.txt"), "--purpose", "batch", "--resume", "garbage"],
      /--resume is not a resume token; pass the token \(or @FILE holding it\) that a failed upload printed/,
    ],
    [
      "a --resume @FILE that cannot be read",
      () => ["upload", join(dir, "small.txt"), "--purpose", "batch", "--resume", `@${join(dir, "none.resume")}`],
      /--resume @.*none.resume: cannot read/,
    ],
    [
      "--stall-timeout 0",
      () => ["upload", join(dir, "small.txt"), "--purpose", "batch", "--stall-timeout", "0"],
      /'--stall-timeout <s>' argument '0' is invalid. expected a whole number from 1 to 3600/,
    ],
    [
      "--network-patience over an hour",
      () => ["upload", join(dir, "small.txt"), "--purpose", "batch", "--network-patience", "3601"],
      /'--network-patience <s>' argument '3601' is invalid. expected a whole number from 0 to 3600/,
    ],
    ["serve --port 70000", () => ["serve", "--port", "70000"], /expected a whole number from 0 to 65535/],
    [
      "serve --data-dir on a file",
      () => ["serve", "--data-dir", join(dir, "small.txt")],
      /small.txt is a file; pass a directory/,
    ],
  ];

  it.concurrent.each(cases)("%s", async (_name, args, message, env = KEY_ENV) => {
    const before = server.stats.requests;
    const result = await cli(["--base-url", server.url, ...args()], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    // one prefix for every error, and the hint points at the help of the command given
    expect(result.stderr).toMatch(/^openai-uploads: /);
    const command = args().find((arg) => COMMANDS.includes(arg));
    expect(result.stderr).toContain(`(run \`openai-uploads ${command ? `${command} ` : ""}--help\` for usage)`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    // the message, perhaps commander's "Did you mean", and the hint
    expect(result.stderr.trim().split("\n").length).toBeLessThanOrEqual(3);
    expect(result.stdout).toBe("");
    expect(server.stats.requests).toBe(before);
  });

  it("plain http to another host names the flag that allows it, and the flag does", async () => {
    // 0.0.0.0 reaches this machine on Linux, yet is not one of the loopback names the client trusts.
    const remote = server.url.replace("127.0.0.1", "0.0.0.0");
    const refused = await cli(["--base-url", remote, "cancel", "--upload-id", "upload_1"], KEY_ENV);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/clear text; use https:\/\/, or allow it\. Pass --allow-insecure-http\./);
    const allowed = await cli(
      ["--allow-insecure-http", "--base-url", remote, "cancel", "--upload-id", "upload_1"],
      KEY_ENV,
    );
    expect(allowed.stderr).toMatch(/404 .*upload_1/);
    expect(allowed.code).toBe(1);
  });

  it.concurrent.each([
    ["commander's", ["upload", join(dir, "small.txt")], "--purpose is required."],
    [
      "the library's",
      ["upload", join(dir, "nope.txt"), "--purpose", "batch"],
      `${join(dir, "nope.txt")} does not exist;`,
    ],
  ])(
    "--json reports a usage error of %s as one JSON document on stdout, and nothing else",
    async (_kind, args, message) => {
      const result = await cli(["--json", ...args], KEY_ENV);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({
        error: { type: expect.any(String), message: expect.stringContaining(message) },
      });
      expect(result.stderr).toBe("");
    },
  );

  it("serve on a port in use exits 2 and says so", async () => {
    const port = new URL(server.url).port;
    const result = await cli(["serve", "--port", port]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`port ${port} is in use; pick another --port`));
  });

  it("--help and --version exit 0 on stdout", async () => {
    const help = await cli(["upload", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--part-size <size>/);
    const version = await cli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.concurrent.each(COMMANDS)("%s --help lists the global flags and examples, each default once", async (command) => {
    const { stdout } = await cli([command, "--help"]);
    const [own, globals] = stdout.split("Global Options:");
    expect(globals).toMatch(/--api-key <key>[\s\S]*--base-url <url>[\s\S]*--json[\s\S]*--timeout <s>/);
    expect(stdout).toMatch(new RegExp(`\nExamples:\n(  # .+\n)?  \\$ openai-uploads ${command} `));
    // an option's entry (its first line and the lines it wraps onto) names its default at most once
    const entries = (own ?? "").split(/\n(?= {2}-)/);
    expect(entries.filter((entry) => (entry.match(/default/g) ?? []).length > 1)).toEqual([]);
  });
});

describe("the examples in the help", () => {
  it("of create run as written against a server", async () => {
    const { stdout } = await cli(["create", "--help"]);
    const examples = [...stdout.matchAll(/^ {2}\$ openai-uploads (create .+)$/gm)].map(([, line]) => line ?? "");
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      // the spec's examples hold no quoted words, so splitting at spaces is how a shell reads them
      const result = await cli(["--base-url", server.url, ...example.split(" ")], KEY_ENV);
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toMatchObject({ object: "upload", status: "pending" });
    }
  });
});
