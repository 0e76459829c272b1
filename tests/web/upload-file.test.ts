import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, uploadFile } from "../../src/index.web.js";
import { blobSource } from "../../src/upload/platform.js";
import { javascriptMd5, webAssemblyMd5 } from "../../src/upload/web/md5-hashers.js";
import { clientFor, randomFile, server, storedSha256 } from "../upload/support.js";

// The entry every runtime without the `node` condition gets: Blobs only, fetch only, MD5 in
// WebAssembly (JavaScript where it is refused).

const MiB = 1024 * 1024;
const md5Of = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

/** A client whose requests pass through fetch and are recorded: method, path and JSON body. */
function recordingClient(url: string) {
  const sent: Array<{ path: string; body: unknown }> = [];
  const client = clientFor(url, "fetch", {
    fetch: async (request) => {
      const isJson = request.headers.get("content-type")?.startsWith("application/json");
      const body = isJson ? await request.clone().json() : undefined;
      sent.push({ path: new URL(request.url).pathname, body });
      return fetch(request);
    },
  });
  return { client, sent };
}

describe("uploadFile from the web entry", () => {
  it("sends a Blob of several parts byte-exact, with the MD5 the server checks", async () => {
    const local = await server();
    // Over 4 MiB, so the MD5 is read in more than one chunk.
    const { bytes, sha256 } = await randomFile(9 * MiB + 3);
    const { client, sent } = recordingClient(local.url);
    const upload = await uploadFile(client, {
      file: new File([bytes], "weights.bin", { type: "application/octet-stream" }),
      purpose: "assistants",
      partSize: 2 * MiB,
      concurrency: 3,
    });

    expect(upload).toMatchObject({ status: "completed", bytes: bytes.length, filename: "weights.bin" });
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(sha256);
    expect(local.stats.byOperation.addUploadPart).toBe(5);
    const complete = sent.find((request) => request.path.endsWith("/complete"));
    expect(complete?.body).toMatchObject({ md5: md5Of(bytes) });
  });

  it("types an untyped .jsonl Blob as text/jsonl", async () => {
    const local = await server();
    const { client, sent } = recordingClient(local.url);
    const upload = await uploadFile(client, {
      file: new Blob(['{"a":1}\n']),
      filename: "requests.jsonl",
      purpose: "batch",
    });
    expect(upload.status).toBe("completed");
    expect(sent[0]).toMatchObject({
      path: "/v1/uploads",
      body: { mime_type: "text/jsonl", filename: "requests.jsonl" },
    });
  });

  it("refuses a path, and an untyped Blob of unknown type, before any request", async () => {
    const local = await server();
    const { client, sent } = recordingClient(local.url);
    const path = uploadFile(client, { file: "/data/train.jsonl", purpose: "fine-tune" });
    await expect(path).rejects.toThrow(InvalidArgumentError);
    await expect(path).rejects.toThrow(/is a path; outside Node, pass a Blob or File/);
    const untyped = uploadFile(client, { file: new Blob(["x"]), filename: "blob.bin", purpose: "assistants" });
    await expect(untyped).rejects.toThrow(/MIME type of "blob.bin".*Pass mimeType/);
    expect(sent).toEqual([]);
  });
});

describe("a Blob's MD5 without Node", () => {
  // The WebAssembly MD5, and the JavaScript one a page gets when its CSP refuses WebAssembly.
  it.each([
    ["WebAssembly", webAssemblyMd5],
    ["JavaScript", async () => javascriptMd5()],
  ])("%s: equals node:crypto's MD5 for any bytes, across chunk boundaries", async (_, md5) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 9 * MiB }), fc.integer({ min: 0, max: 255 }), async (size, seed) => {
        const bytes = new Uint8Array(size).map((_, i) => (i * 31 + seed) & 0xff);
        const digest = await blobSource(new Blob([bytes]), await md5()).md5Hex(new AbortController().signal);
        expect(digest).toBe(md5Of(bytes));
      }),
      { numRuns: 12 },
    );
  });

  it("stops with APIUserAbortError once aborted", async () => {
    const stop = new AbortController();
    stop.abort();
    await expect(
      blobSource(new Blob([new Uint8Array(10)]), await webAssemblyMd5()).md5Hex(stop.signal),
    ).rejects.toMatchObject({
      name: "APIUserAbortError",
    });
  });

  it("stops reading the Blob when aborted while hashing, and lets go of its stream", async () => {
    // A Blob whose stream gives 64 MiB and counts what is read of it: an abort must not read the rest.
    const chunk = new Uint8Array(64 * 1024);
    let pulls = 0;
    let cancelled = false;
    class CountedBlob extends Blob {
      override stream() {
        return new ReadableStream<Uint8Array<ArrayBuffer>>({
          pull(controller) {
            pulls++;
            if (pulls * chunk.length > 64 * MiB) controller.close();
            else controller.enqueue(chunk);
          },
          cancel() {
            cancelled = true;
          },
        });
      }
    }
    const stop = new AbortController();
    const hash = await webAssemblyMd5();
    const abortingHash = {
      update: (bytes: Uint8Array) => {
        hash.update(bytes);
        stop.abort();
      },
      hex: hash.hex,
    };
    const hashing = blobSource(new CountedBlob([]), abortingHash).md5Hex(stop.signal);
    await expect(hashing).rejects.toMatchObject({ name: "APIUserAbortError" });
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(4);
  });
});
