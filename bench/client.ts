/**
 * One measured upload, in its own process so that its peak RSS is its own:
 * `client.ts <kind> <file> <baseUrl>` prints `{"ms": ..., "maxRssMB": ...}`.
 * Kinds: uploadFile (md5 off), uploadFile-md5, baseline (bare node:http streaming each part
 * from disk), openai-sdk (the official SDK's uploads.parts.create, 4 parts at a time), md5-alone
 * (no upload: node:crypto's MD5 of the file read once, the most an upload with md5 can reach),
 * md5-beside-upload (uploadFile's MD5 worker hashing the file while an md5-off uploadFile sends
 * it, timed to the digest: what hashing gets of a machine that is also sending).
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Agent, request } from "node:http";

const PART = 64 * 1024 * 1024;
const CONCURRENCY = 4;
const [kind, path, baseUrl] = process.argv.slice(2) as [string, string, string];
const size = (await stat(path)).size;
const parts = Array.from({ length: Math.ceil(size / PART) }, (_, i) => ({
  start: i * PART,
  end: Math.min((i + 1) * PART, size),
}));

async function inPool(task: (part: { start: number; end: number }) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < parts.length) await task(parts[next++] as { start: number; end: number });
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** The fastest plain way: node:http, a keep-alive agent, the file range piped into the request. */
async function baseline() {
  return async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const post = (
      url: string,
      headers: Record<string, string>,
      body: (req: import("node:http").ClientRequest) => void,
    ) =>
      new Promise<string>((resolve, reject) => {
        const req = request(url, { method: "POST", agent, headers: { authorization: "Bearer sk-bench", ...headers } });
        req.on("error", reject);
        req.on("response", (res) => {
          let text = "";
          res.on("data", (c) => {
            text += c;
          });
          res.on("end", () => resolve(text));
        });
        body(req);
      });
    const created = JSON.parse(
      await post(`${baseUrl}/uploads`, { "content-type": "application/json" }, (req) =>
        req.end(JSON.stringify({ filename: "bench.bin", purpose: "batch", bytes: size, mime_type: "text/plain" })),
      ),
    );
    await inPool(async ({ start, end }) => {
      const boundary = randomBytes(8).toString("hex");
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="data"; filename="blob"\r\n\r\n`;
      const tail = `\r\n--${boundary}--\r\n`;
      await post(
        `${baseUrl}/uploads/${created.id}/parts`,
        {
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": String(head.length + (end - start) + tail.length),
        },
        (req) => {
          req.write(head);
          const file = createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 });
          file.pipe(req, { end: false });
          file.on("end", () => req.end(tail));
        },
      );
    });
    agent.destroy();
  };
}

/** The MD5 alone, the way a one-thread hasher does it best: one sequential read, 1 MiB at a time. */
async function md5Alone() {
  return async () => {
    const hash = createHash("md5");
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
    hash.digest("hex");
  };
}

async function officialSdk() {
  const { default: OpenAI, toFile } = await import("openai");
  return async () => {
    const client = new OpenAI({ apiKey: "sk-bench", baseURL: baseUrl, maxRetries: 0 });
    const upload = await client.uploads.create({
      filename: "bench.bin",
      purpose: "batch",
      bytes: size,
      mime_type: "text/plain",
    });
    const ids: string[] = new Array(parts.length);
    await inPool(async ({ start, end }) => {
      const data = await toFile(createReadStream(path, { start, end: end - 1 }), "blob");
      ids[start / PART] = (await client.uploads.parts.create(upload.id, { data })).id;
    });
    await client.uploads.complete(upload.id, { part_ids: ids });
  };
}

async function ours(md5 = kind === "uploadFile-md5") {
  const { createUploadsClient, uploadFile } = await import("../src/index.js");
  return async () => {
    const client = createUploadsClient({ apiKey: "sk-bench", baseUrl, maxRetries: 0 });
    await uploadFile(client, {
      file: path,
      purpose: "batch",
      mimeType: "text/plain",
      partSize: PART,
      concurrency: CONCURRENCY,
      md5,
    });
  };
}

/** The hashing of an md5-on upload without the upload waiting on it: the floor on a busy machine. */
async function md5BesideUpload() {
  const { fileMd5Hex } = await import("../src/upload/node/md5.js");
  const upload = await ours(false);
  return async () => {
    const sending = upload();
    // Awaited below, after the digest; a failure meanwhile must not go unhandled.
    sending.catch(() => {});
    await fileMd5Hex(path, size, new AbortController().signal);
    // Timed to the digest; the upload is let finish, off the clock, so that the next run starts on an idle machine.
    return { leftRunning: sending };
  };
}

// Each client loads only its own code, so no one's RSS includes another's modules, and the
// clock starts once the code is loaded: what is timed is the upload.
/** A timed run; one that leaves work going (md5-beside-upload's upload) resolves to `{ leftRunning }`, awaited off the clock. */
type Run = () => Promise<unknown>;
const kinds: Record<string, () => Promise<Run>> = {
  baseline,
  "openai-sdk": officialSdk,
  "md5-alone": md5Alone,
  "md5-beside-upload": md5BesideUpload,
};
const run = await (kinds[kind] ?? ours)();
const started = performance.now();
const outcome = await run();
const ms = performance.now() - started;
await (outcome as { leftRunning?: Promise<unknown> } | undefined)?.leftRunning;
process.stdout.write(`${JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
