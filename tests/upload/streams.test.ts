import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { FileChangedError, InvalidArgumentError, UploadFileError, uploadFile } from "../../src/index.js";
import { uploadFile as webUploadFile } from "../../src/index.web.js";
import { rejection } from "../support/rejection.js";
import { clientFor, randomFile, server, storedSha256, type Transport, transports } from "./support.js";

// `file` as a stream of known size: parts read in order into memory, each retry resending its bytes.

const KiB = 1024;

/** The three kinds of stream `file` takes, each giving `bytes` in chunks of `chunk` bytes. */
const kinds = {
  "a web ReadableStream": (bytes: Uint8Array, chunk: number) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += chunk) controller.enqueue(bytes.slice(at, at + chunk));
        controller.close();
      },
    }),
  "a Node Readable": (bytes: Uint8Array, chunk: number) =>
    Readable.from(
      (function* () {
        for (let at = 0; at < bytes.length; at += chunk) yield Buffer.from(bytes.subarray(at, at + chunk));
      })(),
    ),
  "an async generator": (bytes: Uint8Array, chunk: number) =>
    (async function* () {
      for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
    })(),
} as const;

const md5Of = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

describe("uploadFile with a stream of known size", () => {
  const cases = Object.keys(kinds).flatMap((kind) => transports.map((t) => [kind, t] as const));
  it.each(cases)("%s over %s: byte-exact, MD5 checked, chunks cut across parts", async (kind, transport) => {
    const local = await server();
    const file = await randomFile(10 * KiB + 7);
    // 3 KiB chunks across 4 KiB parts: parts start and end inside chunks.
    const stream = kinds[kind as keyof typeof kinds](file.bytes, 3 * KiB);
    const upload = await uploadFile(clientFor(local.url, transport as Transport), {
      file: stream,
      bytes: file.bytes.length,
      filename: "export.jsonl",
      purpose: "batch",
      partSize: 4 * KiB,
      concurrency: 2,
    });
    expect(upload.bytes).toBe(file.bytes.length);
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
  });

  it("resends a retried part's own bytes, and sends the MD5 of the whole stream", async () => {
    // Parts stored and then their answer lost, or refused with a 500: each is sent again.
    const local = await server({
      faults: { seed: 9, errorRate: 0.3, dropAfterStoreRate: 0.3, operations: ["addUploadPart"] },
    });
    const file = await randomFile(40 * KiB);
    const sent: string[] = [];
    const client = clientFor(local.url, "fetch", {
      maxRetries: 10,
      fetch: async (request) => {
        if (request.url.endsWith("/complete")) sent.push((await request.clone().json()).md5);
        return fetch(request);
      },
    });
    const upload = await uploadFile(client, {
      file: kinds["a Node Readable"](file.bytes, 1000),
      bytes: file.bytes.length,
      filename: "x.bin",
      mimeType: "application/octet-stream",
      purpose: "batch",
      partSize: 4 * KiB,
      concurrency: 3,
    });
    expect(local.stats.faults).toBeGreaterThan(0);
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
    expect(sent).toEqual([md5Of(file.bytes)]);
  });

  it.each([
    ["ends short of bytes", 100, 99, /the stream ended after 99 bytes, short of its declared size of 100 bytes/],
    ["runs past bytes", 100, 101, /the stream runs past its declared size of 100 bytes/],
  ])("a stream that %s fails with FileChangedError and cancels the upload", async (_, declared, actual, message) => {
    const local = await server();
    const error = await rejection(
      uploadFile(clientFor(local.url), {
        file: kinds["an async generator"](new Uint8Array(actual), 30),
        bytes: declared,
        filename: "x.txt",
        purpose: "batch",
        partSize: 40,
      }),
      FileChangedError,
    );
    expect(error.message).toMatch(message);
    expect(local.listUploads().map(({ upload }) => upload.status)).toEqual(["cancelled"]);
  });

  it("needs bytes and a filename, and takes only byte chunks, before any request", async () => {
    const local = await server();
    const client = clientFor(local.url);
    const stream = () => kinds["an async generator"](new Uint8Array(10), 5);
    const noBytes = await rejection(
      uploadFile(client, { file: stream(), filename: "a.txt", purpose: "batch" }),
      InvalidArgumentError,
    );
    expect(noBytes).toMatchObject({ option: "bytes", remedy: "pass" });
    const noName = await rejection(
      uploadFile(client, { file: stream(), bytes: 10, purpose: "batch" }),
      InvalidArgumentError,
    );
    expect(noName).toMatchObject({ option: "filename", remedy: "pass" });
    const wrongBlob = await rejection(
      uploadFile(client, { file: new Blob(["abc"]), bytes: 4, filename: "a.txt", purpose: "batch" }),
      InvalidArgumentError,
    );
    expect(wrongBlob.option).toBe("bytes");
    expect(local.stats.requests).toBe(0);
    // Text chunks (a stream with an encoding set) are refused once read, and the upload cancelled.
    const text = Readable.from(["hello", "world"]);
    const textError = await rejection(
      uploadFile(client, { file: text, bytes: 10, filename: "a.txt", purpose: "batch" }),
      InvalidArgumentError,
    );
    expect(textError.message).toMatch(/the stream gave a chunk that is not bytes \(string\)/);
  });

  it("resumes with a new stream of the same bytes, sending only the parts not yet accepted", async () => {
    // A 400 on some parts is not retried: the first call stops with a resume.
    const local = await server({
      faults: { seed: 4, errorRate: 0.5, errorStatuses: [400], operations: ["addUploadPart"] },
    });
    const file = await randomFile(8 * KiB);
    const options = {
      bytes: file.bytes.length,
      filename: "resumed.bin",
      mimeType: "application/octet-stream",
      purpose: "batch",
      partSize: KiB,
      concurrency: 1,
    } as const;
    const client = clientFor(local.url);
    let { resume } = await rejection(
      uploadFile(client, { ...options, file: kinds["a Node Readable"](file.bytes, 700) }),
      UploadFileError,
    );
    for (let round = 0; round < 20; round++) {
      const done = resume.partIds.filter(Boolean).length;
      const before = local.stats.byOperation.addUploadPart;
      try {
        const upload = await uploadFile(client, {
          ...options,
          resume,
          file: kinds["a web ReadableStream"](file.bytes, 700),
        });
        expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
        expect(local.stats.byOperation.createUpload).toBe(1);
        return;
      } catch (error) {
        expect(error).toBeInstanceOf(UploadFileError);
        resume = (error as UploadFileError).resume;
        // Each attempt sends parts from the first one missing on: never one already accepted.
        expect(local.stats.byOperation.addUploadPart - before).toBeLessThanOrEqual(8 - done);
      }
    }
    throw new Error("the upload never completed");
  });

  it("a part that fails while the stream stalls stops the upload at once, and cancels the stream", async () => {
    const local = await server({ faults: { errorRate: 1, errorStatuses: [400], operations: ["addUploadPart"] } });
    let cancelled = false;
    // One part's bytes, then nothing more: a producer that hangs.
    const stalling = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new Uint8Array(KiB)),
      cancel: () => {
        cancelled = true;
      },
    });
    const error = await rejection(
      uploadFile(clientFor(local.url), {
        file: stalling,
        bytes: 4 * KiB,
        filename: "x.bin",
        mimeType: "application/octet-stream",
        purpose: "batch",
        partSize: KiB,
        concurrency: 2,
      }),
      UploadFileError,
    );
    expect(error.cause).toMatchObject({ status: 400 });
    expect(cancelled).toBe(true);
  });

  it.each([
    ["while a part is read", 2 * KiB],
    ["once every byte came, before the stream ends", KiB],
  ])("an abort %s stops the upload at once, cancels it and the stream", async (_, bytesGiven) => {
    const local = await server();
    let cancelled = false;
    const stalling = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new Uint8Array(KiB)),
      cancel: () => {
        cancelled = true;
      },
    });
    const stop = new AbortController();
    const uploading = uploadFile(clientFor(local.url), {
      file: stalling,
      bytes: bytesGiven,
      filename: "x.bin",
      mimeType: "application/octet-stream",
      purpose: "batch",
      partSize: KiB,
      signal: stop.signal,
      onProgress: ({ partsDone }) => partsDone === 1 && stop.abort(),
    });
    await expect(uploading).rejects.toMatchObject({ name: "APIUserAbortError", cancelled: true });
    expect(cancelled).toBe(true);
  });

  it("works the same from the browser build", async () => {
    const local = await server();
    const file = await randomFile(5 * KiB);
    const upload = await webUploadFile(clientFor(local.url, "fetch"), {
      file: kinds["a web ReadableStream"](file.bytes, 999),
      bytes: file.bytes.length,
      filename: "web.jsonl",
      purpose: "batch",
      partSize: 2 * KiB,
    });
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
  });
});
