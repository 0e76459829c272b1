import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPrism, startPrism } from "../../scripts/lib/prism.js";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import type { Upload, UploadPart } from "../../src/types.js";
import { sha256 } from "../support/hashes.js";
import { KEY_ENV, TEST_API_KEY } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { BIN, CREATE_ARGS, cli, startCli, until } from "./support.js";

const dir = await tempDir("cli-commands-");

async function sampleFile(size: number, name = "sample.bin") {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, sha256: sha256(bytes) };
}

async function storedSha256(server: LocalServer, upload: Upload) {
  const path = server.fileContentPath(upload.file?.id ?? "");
  if (!path) throw new Error("no file on the server");
  return sha256(await readFile(path));
}

describe("the seed's commands against Prism", () => {
  let prism: RunningPrism;
  beforeAll(async () => {
    prism = await startPrism(["mock", "openapi/uploads.yaml", "--errors"]);
  });
  afterAll(() => prism?.stop());

  it("create, add-part, complete and cancel print the API objects", async () => {
    const base = ["--base-url", prism.url];
    const created = await cli(
      [
        ...base,
        "create",
        "--bytes",
        "2147483648",
        "--filename",
        "training_examples.jsonl",
        "--mime-type",
        "text/jsonl",
        "--purpose",
        "fine-tune",
      ],
      KEY_ENV,
    );
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const upload = JSON.parse(created.stdout) as Upload;
    expect(upload).toMatchObject({ object: "upload", status: "pending" });
    expect(created.stdout).toContain('\n  "object"'); // pretty by default

    const part = await sampleFile(1000, "part.bin");
    const added = await cli([...base, "--json", "add-part", "--upload-id", upload.id, "--data", part.path], KEY_ENV);
    expect(added.code).toBe(0);
    expect(added.stdout.trim().split("\n")).toHaveLength(1); // --json: one compact document
    expect((JSON.parse(added.stdout) as UploadPart).object).toBe("upload.part");

    const completed = await cli(
      [...base, "complete", "--upload-id", upload.id, "--part-id", "part_a", "--part-id", "part_b"],
      KEY_ENV,
    );
    expect(completed.code).toBe(0);
    expect(JSON.parse(completed.stdout)).toMatchObject({ object: "upload" });

    const cancelled = await cli([...base, "cancel", "--upload-id", upload.id], KEY_ENV);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ object: "upload" });
  });

  // Prism (--errors) refuses a body the spec does not allow: exit 0 means expires_after went out as the spec says.
  it.each([
    ["the seed's form, as JSON", ["--expires-after", '{"anchor": "created_at", "seconds": 7200}']],
    ["the seed's form, as OpenAI's CLI reads it", ["--expires-after", "{anchor: created_at, seconds: 7200}"]],
    ["by field", ["--expires-after.anchor", "created_at", "--expires-after.seconds", "7200"]],
  ])("create --expires-after %s", async (_, flags) => {
    const created = await cli(["--base-url", prism.url, ...CREATE_ARGS, ...flags], KEY_ENV);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
  });

  it.each([
    [
      "{seconds: 10}",
      /--expires-after <object>' argument '\{seconds: 10\}' is invalid\. seconds: expected a whole number from 3600 to 2592000\./,
    ],
    ["{anchor: last_used, seconds: 7200}", /anchor must be created_at\./],
    ["{anchor: created_at, secs: 7200}", /secs is not a field; the fields are anchor, seconds\./],
    ["7200", /expected an object such as \{anchor: …, seconds: …\}\./],
  ])("create --expires-after %s exits 2 with the rule", async (value, rule) => {
    const result = await cli(["--base-url", prism.url, ...CREATE_ARGS, "--expires-after", value], KEY_ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(rule);
  });
});

describe("upload against the local server", () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer();
  });
  afterAll(() => server?.close());

  it("--max-retries and --timeout reach the client", async () => {
    const failing = await startLocalServer({
      faults: { errorRate: 1, errorStatuses: [500], operations: ["cancelUpload"] },
    });
    const slow = await startLocalServer({ faults: { delayMs: 3000, operations: ["cancelUpload"] } });
    try {
      const once = await cli(
        ["--base-url", failing.url, "--max-retries", "0", "cancel", "--upload-id", "upload_1"],
        KEY_ENV,
      );
      expect(once.code).toBe(1);
      expect(failing.stats.byOperation.cancelUpload).toBe(1);
      const timed = await cli(
        ["--base-url", slow.url, "--max-retries", "0", "--timeout", "1", "cancel", "--upload-id", "upload_1"],
        KEY_ENV,
      );
      expect(timed.code).toBe(1);
      expect(timed.stderr).toMatch(/timed out after 1000 ms/);
    } finally {
      await Promise.all([failing.close(), slow.close()]);
    }
  });

  it("upload --expires-after gives the File that expiry", async () => {
    const file = await sampleFile(1000, "expiring.bin");
    const result = await cli(
      [
        "--base-url",
        server.url,
        "upload",
        file.path,
        "--purpose",
        "batch",
        "--expires-after",
        "{anchor: created_at, seconds: 7200}",
      ],
      KEY_ENV,
    );
    expect(result.code).toBe(0);
    const { file: made } = JSON.parse(result.stdout) as Upload;
    expect((made?.expires_at ?? 0) - (made?.created_at ?? 0)).toBe(7200);
  });

  it("uploads byte-exact with plain progress lines when stderr is not a terminal", async () => {
    const file = await sampleFile(300_000);
    const result = await cli(
      ["--base-url", server.url, "--json", "upload", file.path, "--purpose", "batch", "--part-size", "64KiB"],
      KEY_ENV,
    );
    expect(result.code).toBe(0);
    const upload = JSON.parse(result.stdout) as Upload;
    expect(upload.status).toBe("completed");
    expect(await storedSha256(server, upload)).toBe(file.sha256);
    expect(result.stderr).toMatch(/progress: 100\.0% 300000\/300000 bytes, [\d.]+ [KMG]?i?B\/s, parts 5\/5/);
  });

  it("off a terminal writes a line per tenth of the file, not per part; --quiet writes nothing", async () => {
    const file = await sampleFile(100 * 1024, "hundred-parts.bin");
    const args = ["--base-url", server.url, "upload", file.path, "--purpose", "batch", "--part-size", "1KiB"];
    const logged = await cli(args, KEY_ENV);
    expect(logged.code).toBe(0);
    const lines = logged.stderr.trim().split("\n");
    // 100 parts: the line naming the upload, one per tenth (and one at the start), the last.
    expect(lines.length).toBeLessThanOrEqual(25);
    expect(lines.at(-1)).toMatch(/^progress: 100\.0% 102400\/102400 bytes, .*parts 100\/100$/);
    const quiet = await cli(["--quiet", ...args], KEY_ENV);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(await storedSha256(server, JSON.parse(quiet.stdout) as Upload)).toBe(file.sha256);
  });

  it("an API error exits 1 with status, message and request id, and never shows the key", async () => {
    const guarded = await startLocalServer({ apiKey: "sk-the-right-one" });
    try {
      const result = await cli([
        "--base-url",
        guarded.url,
        "--api-key",
        "sk-wrong-visible-nowhere",
        "cancel",
        "--upload-id",
        "upload_1",
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^openai-uploads: 401 .+ \[request id req_\w+\]$/m);
      expect(result.stderr + result.stdout).not.toContain("sk-wrong-visible-nowhere");
    } finally {
      await guarded.close();
    }
  });

  it("offers no resume when completing got no answer and its retry was refused", async () => {
    const local = await startLocalServer();
    // In front of the local server: the first complete is carried out, but its answer is lost.
    let lost = false;
    const proxy = createServer(async (req, res) => {
      const answer = await fetch(`${local.url.replace(/\/v1$/, "")}${req.url}`, {
        method: req.method ?? "POST",
        headers: { authorization: req.headers.authorization ?? "", "content-type": req.headers["content-type"] ?? "" },
        body: await buffer(req),
      });
      if (!lost && req.url?.endsWith("/complete")) {
        lost = true;
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const file = await sampleFile(10_000);
      const { port } = proxy.address() as AddressInfo;
      const args = ["--json", "--base-url", `http://127.0.0.1:${port}/v1`, "upload", file.path, "--purpose", "batch"];
      const result = await cli(args, KEY_ENV);
      expect(result.code).toBe(1);
      const { error } = JSON.parse(result.stdout);
      expect(error).toMatchObject({ completion_unknown: true, resume_token: null });
      expect(error.message).toMatch(/It may have completed on the server: look for its File/);
      // --json: the error is only on stdout, and no advice to continue is printed anywhere
      expect(result.stderr).not.toMatch(/openai-uploads:|resume token|to continue/);
      const [upload] = local.listUploads();
      expect(upload?.upload.status).toBe("completed");
    } finally {
      proxy.closeAllConnections();
      proxy.close();
      await local.close();
    }
  });

  it("Ctrl-C cancels the upload and exits 130", async () => {
    const slow = await startLocalServer({ faults: { delayMs: 300 } });
    try {
      const file = await sampleFile(200_000);
      const run = startCli(
        [
          "--base-url",
          slow.url,
          "upload",
          file.path,
          "--purpose",
          "batch",
          "--part-size",
          "10KB",
          "--concurrency",
          "1",
        ],
        KEY_ENV,
      );
      await until(() => /parts [1-9]/.test(run.output.stderr));
      run.child.kill("SIGINT");
      const result = await run.done;
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/interrupted/);
      const uploadId = /upload (upload_\w+) was cancelled/.exec(result.stderr)?.[1] ?? "";
      expect(slow.getUpload(uploadId)?.upload.status).toBe("cancelled");
    } finally {
      await slow.close();
    }
  });

  it.each([
    ["in the command line", 40_000, "4KB", 0.4, false],
    // ~150 parts: a token of several KB goes to a file, and the command reads it with @FILE
    ["in a file once it is long", 150_000, "1000B", 0.05, true],
  ])(
    "prints the resume token %s and the command that continues, which finishes the upload",
    async (_, size, partSize, errorRate, savedToFile) => {
      // Some part requests fail with a 400 (not retried): each run gets further, then stops.
      const flaky = await startLocalServer({
        faults: { seed: 3, errorRate, errorStatuses: [400], operations: ["addUploadPart"] },
      });
      try {
        const file = await sampleFile(size, "resume me.bin");
        // Every run with one state directory, as one user's would be.
        const env = { ...KEY_ENV, XDG_STATE_HOME: await mkdtemp(join(dir, "state-")) };
        // 0.0.0.0 reaches this machine but needs --allow-insecure-http, which the printed command must keep.
        let result = await cli(
          [
            "--allow-insecure-http",
            "--base-url",
            flaky.url.replace("127.0.0.1", "0.0.0.0"),
            "upload",
            file.path,
            "--purpose",
            "batch",
            "--part-size",
            partSize,
            "--concurrency",
            "1",
          ],
          env,
        );
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/Run the command above to send the rest before/);
        const tokenFiles = new Set<string>();
        let runs = 1;
        for (; runs <= 40 && result.code !== 0; runs++) {
          expect(result.stderr).toMatch(/^resume token(: oaiu1\.\S+| saved to \/\S+\.resume)$/m);
          const saved = /^resume token saved to (\S+)$/m.exec(result.stderr)?.[1];
          if (saved) {
            // It names the files you upload: the user's alone.
            expect((await stat(saved)).mode & 0o777).toBe(0o600);
            tokenFiles.add(saved);
          }
          const command = /to continue: (openai-uploads .*)$/m.exec(result.stderr)?.[1] ?? "";
          expect(command).toContain("'");
          expect(command).not.toContain(TEST_API_KEY);
          // run the printed command through a shell, exactly as a user would paste it
          const shell = await promisify(execFile)("sh", ["-c", command.replace(/^openai-uploads/, `node ${BIN}`)], {
            env: { ...process.env, ...env },
          }).then(
            ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
            (e: { code: number; stdout: string; stderr: string }) => e,
          );
          result = { ...shell, signal: null };
        }
        expect(result.code).toBe(0);
        // Each run ended at its one injected failure and the next went on from there: one run
        // per failure, and the last completes.
        expect(runs).toBe(flaky.stats.faults + 1);
        expect(tokenFiles.size > 0).toBe(savedToFile);
        // Used up once the upload completed: the token files are gone.
        for (const path of tokenFiles) await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
        const upload = JSON.parse(result.stdout) as Upload;
        expect(flaky.stats.byOperation.createUpload).toBe(1);
        expect(await storedSha256(flaky, upload)).toBe(file.sha256);
      } finally {
        await flaky.close();
      }
    },
  );

  it("--json puts a resumable failure's advice in the JSON, and nothing on stderr but progress", async () => {
    const failing = await startLocalServer({
      faults: { seed: 1, errorRate: 1, errorStatuses: [400], operations: ["addUploadPart"] },
    });
    try {
      const file = await sampleFile(10_000);
      const result = await cli(
        ["--json", "--quiet", "--base-url", failing.url, "upload", file.path, "--purpose", "batch"],
        KEY_ENV,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("");
      const { error } = JSON.parse(result.stdout);
      expect(error).toMatchObject({
        type: "UploadFileError",
        resumable: true,
        resume_token: expect.stringMatching(/^oaiu1\./),
      });
      expect(error.message).toMatch(
        /run the same command again, or pass resume_token to --resume, to send the rest before/i,
      );
      expect(error.message).not.toMatch(/above/);
    } finally {
      await failing.close();
    }
  });

  it("shows a progress bar under a pseudo-terminal", async () => {
    const file = await sampleFile(500_000);
    const command = [
      process.execPath,
      BIN,
      "--base-url",
      server.url,
      "upload",
      file.path,
      "--purpose",
      "batch",
      "--part-size",
      "50KB",
    ].join(" ");
    const { stdout } = await promisify(execFile)("script", ["-qec", command, "/dev/null"], {
      env: { ...process.env, ...KEY_ENV, TERM: "xterm" },
    });
    expect(stdout).toMatch(/█/);
    expect(stdout).toMatch(/100% \| 488\.3 KiB\/488\.3 KiB \| .*\/s \| ETA 0s \| parts 10\/10/);
    expect(stdout).toMatch(/"status": "completed"/);
  });
});
