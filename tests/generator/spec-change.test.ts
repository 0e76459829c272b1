import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyOfRepo } from "../support/repo-copy.js";

const exec = promisify(execFile);

// What a maintainer does when OpenAI changes the API: edit the spec, run generate and build,
// with no other edit. Each test works on its own copy of the repository.
describe("a purpose added and a bound raised in the spec", () => {
  let repo: Awaited<ReturnType<typeof copyOfRepo>>;
  const NEW_MAXIMUM = 3_000_000;
  beforeAll(async () => {
    repo = await copyOfRepo();
    await repo.editSpec((spec) => {
      const schemas = spec.components.schemas;
      schemas.CreateUploadRequest.properties.purpose.enum.push("vision2");
      schemas.OpenAIFile.properties.purpose.enum.push("vision2");
      schemas.FileExpirationAfter.properties.seconds.maximum = NEW_MAXIMUM;
    });
    expect((await repo.generate()).code).toBe(0);
    const build = await repo.build();
    expect(build.output).toBe("");
    expect(build.ok).toBe(true);
  }, 120_000);
  afterAll(() => repo.remove());

  it("reaches the CLI, uploadFile and the local server", async () => {
    const testing = await import(join(repo.dir, "dist/src/testing.js"));
    const library = await import(join(repo.dir, "dist/src/index.js"));
    const server = await testing.startLocalServer();
    try {
      const { stdout } = await exec(process.execPath, [
        join(repo.dir, "dist/src/cli/bin.js"),
        "--base-url",
        server.url,
        "--api-key",
        "sk-spec-change",
        "--json",
        "create",
        "--bytes",
        "5",
        "--filename",
        "a.jsonl",
        "--mime-type",
        "text/jsonl",
        "--purpose",
        "vision2",
        "--expires-after-seconds",
        String(NEW_MAXIMUM),
      ]);
      const created = JSON.parse(stdout);
      expect(created).toMatchObject({ purpose: "vision2", status: "pending" });
      expect(server.getUpload(created.id)?.upload.purpose).toBe("vision2");

      const client = library.createUploadsClient({ apiKey: "sk-spec-change", baseUrl: server.url });
      const upload = await library.uploadFile(client, {
        file: new Blob(["hello"]),
        filename: "b.jsonl",
        purpose: "vision2",
        expiresAfter: { anchor: "created_at", seconds: NEW_MAXIMUM },
      });
      expect(upload).toMatchObject({ status: "completed", purpose: "vision2", file: { purpose: "vision2" } });
      expect(library.UPLOAD_PURPOSES).toContain("vision2");
    } finally {
      await server.close();
    }
  });
});

describe("an operation added to the spec", () => {
  let repo: Awaited<ReturnType<typeof copyOfRepo>>;
  let build: { ok: boolean; output: string };
  beforeAll(async () => {
    repo = await copyOfRepo();
    await repo.editSpec((spec) => {
      const cancel = spec.paths["/uploads/{upload_id}/cancel"].post;
      spec.paths["/uploads/{upload_id}"] = {
        get: {
          operationId: "retrieveUpload",
          tags: ["Uploads"],
          summary: "Retrieve upload",
          description: "Returns the Upload with the given ID.",
          parameters: cancel.parameters,
          responses: cancel.responses,
        },
      };
    });
    expect((await repo.generate()).code).toBe(0);
    build = await repo.build();
  }, 120_000);
  afterAll(() => repo.remove());

  it("is a typed client function and a CLI command, and fails to compile only for the server's missing handler", async () => {
    expect(await readFile(join(repo.dir, "generated/client.ts"), "utf8")).toMatch(/retrieveUpload\(uploadId: /);
    expect(await readFile(join(repo.dir, "generated/commands.ts"), "utf8")).toMatch(/"command": "retrieve-upload"/);
    expect(build.ok).toBe(false);
    const errors = build.output.split("\n").filter((line) => /error TS\d+/.test(line));
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors)
      expect(error).toMatch(/^.*src\/server\/handlers\.ts\(\d+,\d+\): error TS\d+:.*retrieveUpload/);
  });

  it("lists the new command in the CLI's help", async () => {
    // The compile error stops tsc's emit of nothing: the CLI still runs from the source.
    const tsx = join(process.cwd(), "node_modules/tsx/dist/cli.mjs");
    const { stdout } = await exec(process.execPath, [tsx, join(repo.dir, "src/cli/bin.ts"), "--help"]);
    expect(stdout).toMatch(/retrieve-upload \[options\]\s+Retrieve upload/);
  });
});
