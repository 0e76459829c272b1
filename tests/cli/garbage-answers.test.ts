import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, startLocalServer } from "../../src/testing.js";
import { KEY_ENV } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { CREATE_ARGS, cli } from "./support.js";

const OTHER = "upload_someone_else";
const NOW = 1_700_000_000;

/** An Upload that is not the one any request names. */
const otherUpload = (status: string) => ({
  id: OTHER,
  object: "upload",
  bytes: 5,
  created_at: NOW,
  expires_at: NOW + 3600,
  filename: "a.txt",
  purpose: "batch",
  status,
});

/** A valid success body of each operation, about another upload than any request names. */
const ANOTHER: Record<string, unknown> = {
  createUpload: undefined, // any id is a valid new upload's
  addUploadPart: { id: "part_x", object: "upload.part", created_at: NOW, upload_id: OTHER },
  completeUpload: {
    ...otherUpload("completed"),
    file: {
      id: "file_x",
      object: "file",
      bytes: 5,
      created_at: NOW,
      filename: "a.txt",
      purpose: "batch",
      status: "processed",
    },
  },
  cancelUpload: otherUpload("cancelled"),
};

type Garbage =
  | "an empty object"
  | "an empty body"
  | "HTML"
  | "truncated JSON"
  | "another upload's id"
  | "an endless body";

/** What each kind of garbage is, and what the one error line must say of it. */
const EXPECTED: Record<Garbage, RegExp> = {
  "an empty object": /does not match the spec's Upload(Part)?: \/\w+ is missing/,
  "an empty body": /has an empty body, not the spec's Upload/,
  HTML: /is not JSON \(it starts "<html>/,
  "truncated JSON": /is not JSON \(it starts "\{\\"id/,
  "another upload's id":
    /is about another resource: \/(id|upload_id) is "upload_someone_else", not the "upload_\w+" the request named/,
  "an endless body": /has a body of over 4194304 bytes/,
};

const OPERATION_OF: Array<[RegExp, string]> = [
  [/\/parts$/, "addUploadPart"],
  [/\/complete$/, "completeUpload"],
  [/\/cancel$/, "cancelUpload"],
  [/\/uploads$/, "createUpload"],
];

/**
 * A server in front of the local one that answers one operation with 200 and garbage, and
 * forwards the rest. It counts the requests of each operation and the bytes of an endless body.
 */
async function garbageServer(upstream: string, operationId: string, garbage: Garbage) {
  const seen: Record<string, number> = {};
  let endlessBytes = 0;
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const operation = OPERATION_OF.find(([pattern]) => pattern.test(path))?.[1] ?? "unknown";
    seen[operation] = (seen[operation] ?? 0) + 1;
    const body = await buffer(req);
    if (operation !== operationId) {
      const forwarded = await fetch(`${upstream}${path.replace(/^\/v1/, "")}`, {
        method: req.method ?? "POST",
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "content-length") as [string, string][],
        ),
        body: body.length ? body : undefined,
      });
      res.writeHead(forwarded.status, { "content-type": "application/json" });
      res.end(Buffer.from(await forwarded.arrayBuffer()));
      return;
    }
    const json = (text: string) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    };
    if (garbage === "an empty object") return json("{}");
    if (garbage === "an empty body") return json("");
    if (garbage === "truncated JSON") return json('{"id": "upload_x", "obj');
    if (garbage === "another upload's id") return json(JSON.stringify(ANOTHER[operationId]));
    if (garbage === "HTML") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<html><body>Sign in to the hotel Wi-Fi to continue</body></html>");
    }
    // An endless body: chunks for as long as the client reads them.
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"id": "');
    const chunk = Buffer.alloc(64 * 1024, "x");
    const more = () => {
      while (!res.destroyed && endlessBytes < 1024 ** 3) {
        endlessBytes += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", more);
      }
    };
    more();
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    seen,
    endlessBytes: () => endlessBytes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
  };
}

let local: LocalServer;
const dir = await tempDir("cli-garbage-");
beforeAll(async () => {
  local = await startLocalServer();
  await writeFile(join(dir, "part.bin"), "hello");
});
afterAll(() => local.close());

const COMMANDS: Record<string, string[]> = {
  createUpload: [...CREATE_ARGS],
  addUploadPart: ["add-part", "--upload-id", "upload_abc", "--data", "PART"],
  completeUpload: ["complete", "--upload-id", "upload_abc", "--part-id", "part_1"],
  cancelUpload: ["cancel", "--upload-id", "upload_abc"],
};
const KINDS = Object.keys(EXPECTED) as Garbage[];
const cases = Object.keys(COMMANDS).flatMap((operationId) =>
  KINDS.filter((kind) => ANOTHER[operationId] !== undefined || kind !== "another upload's id").map(
    (kind) => [operationId, kind] as const,
  ),
);

/** The assertions every garbage answer must meet: exit 1, one line naming the call and the problem, nothing else. */
function expectOneClearLine(
  result: { code: number | null; stderr: string; stdout: string },
  operationId: string,
  kind: Garbage,
) {
  expect(result.code, result.stderr).toBe(1);
  const errors = result.stderr.split("\n").filter((line) => line.startsWith("openai-uploads:"));
  expect(errors).toHaveLength(1);
  // `upload` says which upload stopped, then why: the call and what was wrong with its answer.
  expect(errors[0]).toMatch(
    new RegExp(`^openai-uploads: (Upload upload_\\w+ stopped .*: )?${operationId} got a 200 answer that `),
  );
  expect(errors[0]).toMatch(EXPECTED[kind]);
  expect(result.stderr).not.toMatch(/^\s+at |undefined|TypeError/m);
  expect(result.stdout).toBe("");
}

describe("a 200 answer that is not the spec's, to each command", () => {
  it.concurrent.each(cases)("%s answered with %s: exit 1, one line, never retried", async (operationId, kind) => {
    const garbage = await garbageServer(local.url, operationId, kind);
    try {
      const args = (COMMANDS[operationId] ?? []).map((arg) => (arg === "PART" ? join(dir, "part.bin") : arg));
      const result = await cli(["--base-url", garbage.url, ...args], KEY_ENV);
      expectOneClearLine(result, operationId, kind);
      // Not retried: a 2xx may have taken effect, and a retried create is another upload.
      expect(garbage.seen[operationId]).toBe(1);
      // Memory stays bounded: the client stops reading an endless body soon after its cap.
      expect(garbage.endlessBytes()).toBeLessThan(64 * 1024 ** 2);
    } finally {
      await garbage.close();
    }
  });
});

describe("a 200 answer that is not the spec's, during `upload`", () => {
  const phases = [
    ["createUpload", "HTML", /^$/],
    ["addUploadPart", "an empty object", /resume token/],
    ["addUploadPart", "an endless body", /resume token/],
    ["completeUpload", "another upload's id", /^$/],
    ["completeUpload", "truncated JSON", /^$/],
  ] as const;
  it.concurrent.each(phases)("%s answered with %s", async (operationId, kind, resumeAdvice) => {
    const garbage = await garbageServer(local.url, operationId, kind);
    const name = `upload-${operationId}-${kind.replace(/\W/g, "")}.txt`;
    try {
      const file = join(dir, name);
      await writeFile(file, "hello, world");
      const result = await cli(["--base-url", garbage.url, "upload", file, "--purpose", "batch"], KEY_ENV);
      expectOneClearLine(result, operationId, kind);
      expect(garbage.seen[operationId]).toBe(1);
      // A resume is offered only where one can work: a part that was not accepted; never after complete.
      const advice = result.stderr
        .split("\n")
        .filter((line) => !/^(openai-uploads:|progress:|created upload_)/.test(line));
      expect(advice.join("\n")).toMatch(resumeAdvice);
      if (operationId === "completeUpload") expect(result.stderr).toMatch(/may have completed/);
      // Never a second upload: at most the one this run created.
      const created = local.listUploads().filter(({ upload }) => upload.filename === name);
      expect(created).toHaveLength(operationId === "createUpload" ? 0 : 1);
    } finally {
      await garbage.close();
    }
  });
});
