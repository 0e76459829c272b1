import { appendFile, truncate, writeFile } from "node:fs/promises";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  APIUserAbortError,
  FileChangedError,
  InternalServerError,
  InvalidArgumentError,
  UploadFileError,
  type UploadsClient,
  uploadFile,
} from "../../src/index.js";
import { TEST_API_KEY } from "../support/keys.js";
import { rejection } from "../support/rejection.js";
import { clientFor, progressLog, randomFile, server, storedSha256, transports } from "./support.js";

const KiB = 1024;
const SEEDS = Array.from({ length: 8 }, (_, i) => i + 1);

describe.each(transports)("under injected faults, over %s", (transport) => {
  it.concurrent.each(SEEDS)("arrives byte-exact with seed %i", async (seed) => {
    const local = await server({
      faults: { seed, errorRate: 0.2, dropBeforeStoreRate: 0.05, dropAfterStoreRate: 0.05, retryAfterMs: 5 },
    });
    const file = await randomFile(300 * KiB + seed);
    const progress = progressLog();
    const upload = await uploadFile(clientFor(local.url, transport, { maxRetries: 8 }), {
      file: file.path,
      purpose: "batch",
      mimeType: "application/octet-stream",
      partSize: 20 * KiB,
      concurrency: 4,
      onProgress: progress.onProgress,
    });
    expect(upload.status).toBe("completed");
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
    expect(progress.events.at(-1)?.bytesSent).toBe(file.bytes.length);
    expect(local.stats.faults).toBeGreaterThan(0);
  });
});

/** The APIUserAbortError of an upload of a 4-part file that the caller aborts from onStart. */
async function abortedOnStart(client: UploadsClient): Promise<APIUserAbortError> {
  const file = await randomFile(4 * KiB);
  const controller = new AbortController();
  return rejection(
    uploadFile(client, {
      file: file.path,
      purpose: "batch",
      mimeType: "text/plain",
      partSize: KiB,
      signal: controller.signal,
      onStart: () => controller.abort(),
    }),
    APIUserAbortError,
  );
}

describe("abort", () => {
  it.each(transports)("stops mid-upload over %s, cancels the upload and rejects with APIUserAbortError", async (t) => {
    const local = await server({ faults: { delayMs: 20 } });
    const file = await randomFile(64 * KiB);
    const controller = new AbortController();
    const promise = uploadFile(clientFor(local.url, t), {
      file: file.path,
      purpose: "batch",
      mimeType: "text/plain",
      partSize: KiB,
      concurrency: 2,
      signal: controller.signal,
      onProgress: ({ partsDone }) => {
        if (partsDone === 3) controller.abort();
      },
    });
    const error = await rejection(promise, APIUserAbortError);
    expect(error.cancelled).toBe(true);
    expect(local.getUpload(error.uploadId ?? "")?.upload.status).toBe("cancelled");
    expect(error.message).toContain(`upload ${error.uploadId} was cancelled`);
    expect(local.stats.byOperation.addUploadPart).toBeLessThan(10);
    expect(local.stats.byOperation.completeUpload).toBe(0);
  });

  it("does not claim a cancel when the upload completed while the abort came in", async () => {
    const local = await server();
    const file = await randomFile(4 * KiB);
    const controller = new AbortController();
    // The server completes the upload, and the caller aborts before the answer is read.
    const client = clientFor(local.url, "fetch", {
      fetch: async (request) => {
        const response = await fetch(request);
        if (!request.url.endsWith("/complete")) return response;
        controller.abort();
        throw new DOMException("The operation was aborted.", "AbortError");
      },
    });
    const options = { file: file.path, purpose: "batch", mimeType: "text/plain", partSize: KiB } as const;
    const error = await rejection(uploadFile(client, { ...options, signal: controller.signal }), APIUserAbortError);
    expect(error.cancelled).toBe(false);
    expect(local.getUpload(error.uploadId ?? "")?.upload.status).toBe("completed");
    expect(error.message).toContain(`upload ${error.uploadId} could not be cancelled and may have completed`);
  });

  it.each(transports)("rejects with what onProgress threw over %s, and cancels the upload", async (t) => {
    const local = await server();
    const file = await randomFile(8 * KiB);
    const thrown = new Error("bug in a progress bar");
    let calls = 0;
    const error = await uploadFile(clientFor(local.url, t), {
      file: file.path,
      purpose: "batch",
      mimeType: "text/plain",
      partSize: KiB,
      onProgress: () => {
        if (++calls === 3) throw thrown;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(thrown);
    expect(calls).toBe(3); // never called again once it threw
    const [upload] = local.listUploads();
    expect(upload?.upload.status).toBe("cancelled");
    expect(local.stats.byOperation.completeUpload).toBe(0);
  });

  it.each(transports)("sends no part after an abort from onStart over %s, and cancels", async (t) => {
    const local = await server();
    const error = await abortedOnStart(clientFor(local.url, t));
    expect(error.cancelled).toBe(true);
    expect(local.stats.byOperation).toMatchObject({ addUploadPart: 0, completeUpload: 0, cancelUpload: 1 });
  });

  it("does not claim a cancel that the server answers without cancelling", async () => {
    const local = await server();
    const client = clientFor(local.url, "fetch", {
      fetch: async (request) => {
        if (!request.url.endsWith("/cancel")) return fetch(request);
        // Answered, but about an upload still pending: not cancelled.
        const upload = local.getUpload(request.url.split("/").at(-2) ?? "")?.upload;
        return Response.json({ ...upload, status: "pending" });
      },
    });
    const error = await abortedOnStart(client);
    expect(error.cancelled).toBe(false);
    expect(error.message).toMatch(/could not be cancelled\.$/);
  });

  it("sends nothing when the signal has already fired", async () => {
    const local = await server();
    const file = await randomFile(10);
    const promise = uploadFile(clientFor(local.url), {
      file: file.path,
      purpose: "batch",
      mimeType: "text/plain",
      signal: AbortSignal.abort(),
    });
    await expect(promise).rejects.toThrow(APIUserAbortError);
    expect(local.stats.requests).toBe(0);
  });
});

describe("resume", () => {
  /** A client whose part requests fail with a 500 once `budget` parts have gone through. */
  function failingAfter(url: string, budget: number) {
    let parts = 0;
    return clientFor(url, "fetch", {
      maxRetries: 0,
      fetch: async (request) => {
        if (request.url.endsWith("/parts") && ++parts > budget) {
          return Response.json(
            { error: { message: "boom", type: "server_error", param: null, code: null } },
            { status: 500 },
          );
        }
        return fetch(request);
      },
    });
  }

  it("continues after a permanent failure and sends only the missing parts", async () => {
    const local = await server();
    const file = await randomFile(10 * KiB + 5);
    const options = { file: file.path, purpose: "fine-tune", partSize: KiB, concurrency: 1 } as const;
    // No patience: the server's 500s are for good here, and the upload is to stop at once.
    const failure = await rejection(
      uploadFile(failingAfter(local.url, 4), { ...options, mimeType: "text/jsonl", networkPatienceMs: 0 }),
      UploadFileError,
    );

    expect(failure.cause).toBeInstanceOf(InternalServerError);
    expect(failure.message).toContain(failure.uploadId);
    expect(failure.message).toMatch(/4 of 11 parts/);
    expect(failure.completionUnknown).toBe(false);
    expect(JSON.parse(JSON.stringify(failure.resume))).toEqual(failure.resume);
    expect(local.getUpload(failure.uploadId)?.upload.status).toBe("pending");
    expect(inspect(failure)).not.toContain(TEST_API_KEY);

    const partsBefore = local.stats.byOperation.addUploadPart;
    const progress = progressLog();
    const upload = await uploadFile(clientFor(local.url), {
      ...options,
      mimeType: "text/jsonl",
      resume: failure.resumeToken,
      onProgress: progress.onProgress,
    });
    expect(upload.id).toBe(failure.uploadId);
    expect(local.stats.byOperation.addUploadPart - partsBefore).toBe(7);
    expect(local.stats.byOperation.createUpload).toBe(1);
    expect(progress.events[0]).toEqual({
      bytesSent: 4 * KiB,
      totalBytes: file.bytes.length,
      partsDone: 4,
      partsTotal: 11,
      waiting: false,
    });
    expect(progress.events.at(-1)?.bytesSent).toBe(file.bytes.length);
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
  });

  it.each([
    ["another size", { bytes: 2147483648 }, /completed with 2147483648 bytes, not upload_\w+ completed with 4096\./],
    ["another status", { status: "pending" }, /, pending with 4096 bytes, not upload_\w+ completed/],
    ["no file", { file: null }, /completed with 4096 bytes and no file, not upload_\w+ completed/],
  ])(
    "does not call an upload done, nor offer a resume, when completeUpload answers with %s",
    async (_, mangled, says) => {
      const local = await server();
      const file = await randomFile(4 * KiB);
      // A mock answering from examples, say: an upload, but not this file's completed one.
      const client = clientFor(local.url, "fetch", {
        fetch: async (request) => {
          const response = await fetch(request);
          if (!request.url.endsWith("/complete")) return response;
          return Response.json({ ...(await response.json()), ...mangled });
        },
      });
      const options = { file: file.path, purpose: "batch", mimeType: "text/plain", partSize: KiB } as const;
      const error = await rejection(uploadFile(client, options), UploadFileError);
      expect(error.completionUnknown).toBe(true);
      expect(error.message).toMatch(says);
      expect(error.message).toMatch(/It may have completed/);
      expect(error.message).not.toMatch(/Pass `resume`/);
    },
  );

  it.each([
    ["a 502, then a refused retry", 2, "502"],
    ["no answer, and no retry allowed", 0, "lost"],
  ])("calls the completion unknown after %s, the server having completed it", async (_, maxRetries, first) => {
    const local = await server();
    const file = await randomFile(2 * KiB);
    let failed = false;
    const client = clientFor(local.url, "fetch", {
      maxRetries,
      fetch: async (request) => {
        const response = await fetch(request);
        if (failed || !request.url.endsWith("/complete")) return response;
        failed = true;
        if (first === "lost") throw new TypeError("fetch failed");
        return Response.json({ error: { message: "Bad gateway" } }, { status: 502 });
      },
    });
    const options = { file: file.path, purpose: "batch", mimeType: "text/plain", partSize: KiB } as const;
    const error = await rejection(uploadFile(client, options), UploadFileError);
    expect(error.completionUnknown).toBe(true);
    expect(local.getUpload(error.uploadId)?.upload.status).toBe("completed");
  });

  it("says the upload may have completed when completeUpload's answer was lost and its retry refused", async () => {
    const local = await server();
    const file = await randomFile(4 * KiB);
    let lost = false;
    // The server completes the upload; the connection drops before the answer arrives.
    const client = clientFor(local.url, "fetch", {
      fetch: async (request) => {
        const response = await fetch(request);
        if (lost || !request.url.endsWith("/complete")) return response;
        lost = true;
        throw new TypeError("fetch failed");
      },
    });
    const options = { file: file.path, purpose: "batch", mimeType: "text/plain", partSize: KiB } as const;
    const failure = await rejection(uploadFile(client, options), UploadFileError);
    expect(failure.completionUnknown).toBe(true);
    expect(failure.message).toMatch(/4 of 4 parts sent: .*It may have completed on the server: look for its File/);
    expect(failure.message).not.toMatch(/Pass `resume`/);
    expect(local.getUpload(failure.uploadId)?.upload.status).toBe("completed");
    expect(local.stats.byOperation.completeUpload).toBe(2);
  });

  it("says the upload expired, without a request, when the resume comes after an hour", async () => {
    const local = await server();
    const file = await randomFile(3 * KiB);
    const resume = {
      version: 1,
      uploadId: "upload_old",
      expiresAt: Math.floor(Date.now() / 1000) - 5,
      bytes: 3 * KiB,
      partSize: KiB,
      partIds: ["part_a", null, null],
    } as const;
    const promise = uploadFile(clientFor(local.url), {
      file: file.path,
      purpose: "batch",
      mimeType: "text/plain",
      resume: { ...resume, partIds: [...resume.partIds] },
    });
    await expect(promise).rejects.toThrow(InvalidArgumentError);
    await expect(promise).rejects.toThrow(/upload_old expired at .*uploads last an hour. Leave resume out/);
    expect(local.stats.requests).toBe(0);
  });

  it("refuses a resume for another file or a mangled token", async () => {
    const local = await server();
    const file = await randomFile(3 * KiB);
    const base = { file: file.path, purpose: "batch", mimeType: "text/plain" } as const;
    const resume = {
      version: 1 as const,
      uploadId: "upload_x",
      expiresAt: Math.floor(Date.now() / 1000) + 600,
      bytes: 4 * KiB,
      partSize: KiB,
      partIds: [null, null, null, null],
    };
    await expect(uploadFile(clientFor(local.url), { ...base, resume })).rejects.toThrow(
      /has changed or is not this one/,
    );
    await expect(uploadFile(clientFor(local.url), { ...base, resume: "oaiu1.%%%" })).rejects.toThrow(
      /not a resume token/,
    );
    // A File of the same size but another lastModified is another file.
    const [first, second] = [1_700_000_000_000, 1_700_000_000_001].map(
      (lastModified) => new File([file.bytes], "same.bin", { type: "text/plain", lastModified }),
    );
    const failing = clientFor(local.url, "fetch", {
      maxRetries: 0,
      fetch: async (request) => (request.url.endsWith("/parts") ? Response.json({}, { status: 500 }) : fetch(request)),
    });
    const failure = await rejection(
      uploadFile(failing, { file: first as File, purpose: "batch", networkPatienceMs: 0 }),
      UploadFileError,
    );
    expect(failure.resume.mtimeMs).toBe(1_700_000_000_000);
    const requestsBefore = local.stats.requests;
    await expect(
      uploadFile(clientFor(local.url), { file: second as File, purpose: "batch", resume: failure.resume }),
    ).rejects.toThrow(/has changed or is not this one/);
    expect(local.stats.requests).toBe(requestsBefore);
  });
});

describe("a file that changes while it is sent", () => {
  it.each([
    ["grows", (path: string) => appendFile(path, "more")],
    ["shrinks", (path: string) => truncate(path, 100)],
    ["is rewritten", (path: string) => writeFile(path, "x".repeat(32 * KiB))],
  ])("%s: fails with FileChangedError and cancels the upload", async (_what, change) => {
    const local = await server({ faults: { delayMs: 10 } });
    const file = await randomFile(32 * KiB);
    let changed: Promise<void> | undefined;
    const promise = uploadFile(clientFor(local.url), {
      file: file.path,
      purpose: "batch",
      mimeType: "text/plain",
      partSize: KiB,
      concurrency: 2,
      onProgress: ({ partsDone }) => {
        if (partsDone === 2) changed ??= change(file.path);
      },
    });
    await expect(promise).rejects.toThrow(FileChangedError);
    await changed;
    expect(local.stats.byOperation.completeUpload).toBe(0);
    expect(local.stats.byOperation.cancelUpload).toBe(1);
  });
});
