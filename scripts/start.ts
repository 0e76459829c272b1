/**
 * `npm start`: the whole job on the embedded default, with no key and no network. Starts the
 * local Uploads server in this process on a free port, writes a sample file (100 MiB of JSON
 * lines), uploads it with the same code as `openai-uploads upload` (progress display and
 * all), prints the completed Upload and checks that the server holds the very same bytes.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { runCli } from "../src/cli/run.js";
import { startLocalServer } from "../src/testing.js";
import type { Upload } from "../src/types.js";

const SAMPLE_BYTES = 100 * 1024 * 1024;

async function writeSample(path: string): Promise<void> {
  // JSON lines, so the sample is a plausible fine-tuning file rather than noise.
  const file = await open(path, "w");
  try {
    for (let written = 0, i = 0; written < SAMPLE_BYTES; i++) {
      const line = `${JSON.stringify({ messages: [{ role: "user", content: `question ${i}` }] })}\n`;
      const chunk = Buffer.from(line.repeat(2048)).subarray(0, SAMPLE_BYTES - written);
      await file.write(chunk);
      written += chunk.length;
    }
  } finally {
    await file.close();
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "openai-uploads-start-"));
  const server = await startLocalServer();
  try {
    const sample = join(dir, "sample.jsonl");
    await writeSample(sample);
    console.error(`local Uploads server at ${server.url}; uploading ${sample} (${SAMPLE_BYTES} bytes)`);
    // What the CLI prints goes to our stdout as usual, and is kept to read the Upload back.
    const stdout = new PassThrough();
    let printed = "";
    stdout.on("data", (chunk: Buffer) => {
      printed += chunk;
      process.stdout.write(chunk);
    });
    const args = ["upload", sample, "--purpose", "fine-tune", "--part-size", "16MiB", "--base-url", server.url];
    const code = await runCli(args, {
      stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: { ...process.env, OPENAI_API_KEY: "sk-local-demo" },
    });
    if (code !== 0) return code;
    const upload = JSON.parse(printed) as Upload;
    const stored = upload.file ? server.fileContentPath(upload.file.id) : undefined;
    if (!stored) throw new Error("the completed upload has no file on the server");
    const [sent, received] = await Promise.all([sha256(sample), sha256(stored)]);
    if (sent !== received) throw new Error(`the server holds different bytes: sha256 ${received}, expected ${sent}`);
    console.error(`verified: the server's ${upload.file?.id} has the sample's sha256 ${sent}`);
    return 0;
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`start: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
