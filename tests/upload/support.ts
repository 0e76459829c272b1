import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createUploadsClient, type UploadProgress, type UploadsClient } from "../../src/index.js";
import { type LocalServer, type LocalServerOptions, startLocalServer } from "../../src/testing.js";
import { sha256 } from "../support/hashes.js";
import { TEST_API_KEY } from "../support/keys.js";
import { tempDir } from "../support/temp.js";

/** The two ways parts travel: node:http streaming from disk, and the client's own fetch. */
export const transports = ["node:http", "fetch"] as const;
export type Transport = (typeof transports)[number];

// Closed after the file, not after each test: concurrent tests must not lose their server to
// another test's teardown.
const servers: LocalServer[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A local server, closed once the test file is done. */
export async function server(options: LocalServerOptions = {}): Promise<LocalServer> {
  const started = await startLocalServer({ apiKey: TEST_API_KEY, ...options });
  servers.push(started);
  return started;
}

/**
 * A client for `url`. With the fetch transport the client gets its own fetch, which makes
 * uploadFile send parts through it; `onRequest` sees every request either way it is given.
 */
export function clientFor(
  url: string,
  transport: Transport = "node:http",
  extra: { fetch?: (request: Request) => Promise<Response>; maxRetries?: number; apiKey?: string } = {},
): UploadsClient {
  const fetchImpl = extra.fetch ?? (transport === "fetch" ? (request: Request) => fetch(request) : undefined);
  return createUploadsClient({
    apiKey: extra.apiKey ?? TEST_API_KEY,
    baseUrl: url,
    maxRetries: extra.maxRetries ?? 2,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

const dir = await tempDir("upload-test-");
let files = 0;

/** A file of `size` random bytes in a temp dir, with its sha256. */
export async function randomFile(size: number, name = `file-${files++}.bin`) {
  const path = join(dir, name);
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  return { path, bytes, sha256: sha256(bytes) };
}

/** The sha256 of what the server assembled for a completed upload's file. */
export async function storedSha256(local: LocalServer, fileId: string): Promise<string> {
  const path = local.fileContentPath(fileId);
  if (!path) throw new Error(`the server has no file ${fileId}`);
  return sha256(await readFile(path));
}

/** Records progress events and checks, as they come, that nothing ever goes backwards. */
export function progressLog() {
  const events: UploadProgress[] = [];
  const onProgress = (progress: UploadProgress) => {
    const last = events.at(-1);
    if (last && (progress.bytesSent < last.bytesSent || progress.partsDone < last.partsDone)) {
      throw new Error(`progress went backwards: ${JSON.stringify(last)} -> ${JSON.stringify(progress)}`);
    }
    events.push({ ...progress });
  };
  return { events, onProgress };
}
