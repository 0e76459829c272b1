import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { APIUserAbortError, MAX_PART_BYTES, uploadFile } from "../../src/index.js";
import { TEST_API_KEY } from "../support/keys.js";
import { rejection } from "../support/rejection.js";
import { clientFor, progressLog, randomFile, server, storedSha256, transports } from "./support.js";

const KiB = 1024;
const UPLOAD_FIELDS = {
  id: "upload_1",
  object: "upload",
  bytes: 3 * KiB,
  created_at: 1,
  filename: "file.bin",
  purpose: "batch",
  expires_at: 4_000_000_000,
};

describe.each(transports)("uploadFile over %s", (transport) => {
  const cases = [
    // With no part size, the defaults cut the file: 1 part up to 8 MiB, then two per connection (8 of them).
    { name: "1 byte", size: 1, partSize: undefined, concurrency: undefined, parts: 1 },
    {
      name: "64 MiB, cut by the defaults",
      size: MAX_PART_BYTES,
      partSize: undefined,
      concurrency: undefined,
      parts: 8,
    },
    { name: "one part plus 1 byte", size: 64 * KiB + 1, partSize: 64 * KiB, concurrency: 1, parts: 2 },
    { name: "many parts, 3 at a time", size: 1000 * KiB + 123, partSize: 32 * KiB, concurrency: 3, parts: 32 },
  ];

  it.each(cases)("sends $name byte-exact", async ({ size, partSize, concurrency, parts }) => {
    const local = await server();
    const file = await randomFile(size);
    const progress = progressLog();
    const upload = await uploadFile(clientFor(local.url, transport), {
      file: file.path,
      purpose: "assistants",
      mimeType: "application/octet-stream",
      ...(partSize ? { partSize } : {}),
      ...(concurrency ? { concurrency } : {}),
      onProgress: progress.onProgress,
    });

    expect(upload.status).toBe("completed");
    expect(upload._request_id).toMatch(/^req_/);
    expect(upload.bytes).toBe(size);
    const fileId = upload.file?.id ?? "";
    expect(await storedSha256(local, fileId)).toBe(file.sha256);
    const partsTotal = parts;
    expect(progress.events.at(-1)).toEqual({
      bytesSent: size,
      totalBytes: size,
      partsDone: partsTotal,
      partsTotal,
      waiting: false,
    });
    expect(local.stats.byOperation.addUploadPart).toBe(partsTotal);
    expect(local.getUpload(upload.id)?.upload.status).toBe("completed");
  });
});

describe("uploadFile", () => {
  it.each(transports)(
    "sends many parts at once on one signal without Node's listener warning (%s)",
    async (transport) => {
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(warning.name);
      process.on("warning", onWarning);
      try {
        const local = await server();
        const file = await randomFile(40 * 1024);
        const upload = await uploadFile(clientFor(local.url, transport), {
          file: file.path,
          purpose: "batch",
          partSize: 1024,
          concurrency: 32,
          signal: new AbortController().signal,
        });
        expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
        // Node reports the warning on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).not.toContain("MaxListenersExceededWarning");
      } finally {
        process.off("warning", onWarning);
      }
    },
  );

  it("streams the parts with node:http for a spread copy of a client too", async () => {
    const local = await server();
    const file = await randomFile(3 * KiB);
    const copy = { ...clientFor(local.url) };
    // The client looks the global fetch up per request: the spy sees every call that goes through it,
    // and none of those node:http carries.
    const spy = vi.spyOn(globalThis, "fetch");
    try {
      const options = { purpose: "batch", mimeType: "text/plain", partSize: KiB } as const;
      const upload = await uploadFile(copy, { ...options, file: file.path });
      expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
      expect(local.stats.byOperation.addUploadPart).toBe(3);
      expect(spy).not.toHaveBeenCalled();
      // A Blob's parts go the same way, streamed from the Blob.
      const blobUpload = await uploadFile(copy, { ...options, file: new Blob([file.bytes]), filename: "copy.bin" });
      expect(await storedSha256(local, blobUpload.file?.id ?? "")).toBe(file.sha256);
      expect(spy).not.toHaveBeenCalled();
      // The control: the copy's own calls go through fetch, which the spy sees.
      await copy.createUpload({ bytes: 1, filename: "a.txt", mime_type: "text/plain", purpose: "batch" });
      const urls = spy.mock.calls.map(([input]) => (input instanceof Request ? input.url : String(input)));
      expect(urls.filter((url) => url.endsWith("/uploads"))).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("names the file after the path and infers its MIME type, and checks the MD5 on completion", async () => {
    const local = await server();
    const file = await randomFile(5000, "notes.jsonl");
    const upload = await uploadFile(clientFor(local.url), { file: file.path, purpose: "batch", partSize: 999 });
    expect(upload).toMatchObject({ filename: "notes.jsonl", purpose: "batch", status: "completed", bytes: 5000 });
    expect(local.getUpload(upload.id)?.upload).toMatchObject({ filename: "notes.jsonl" });
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
  });

  it("sends a File, named after itself, through fetch", async () => {
    const local = await server();
    const { bytes, sha256 } = await randomFile(70 * KiB);
    const upload = await uploadFile(clientFor(local.url), {
      file: new File([bytes], "image.png", { type: "image/png" }),
      purpose: "vision",
      partSize: 16 * KiB,
    });
    expect(upload).toMatchObject({ filename: "image.png", bytes: 70 * KiB, status: "completed" });
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(sha256);
  });

  it("keeps at most `concurrency` parts in flight and sends part ids in file order", async () => {
    const local = await server({ faults: { delayMs: 15 } });
    let inFlight = 0;
    let peak = 0;
    const client = clientFor(local.url, "fetch", {
      fetch: async (request) => {
        const isPart = request.url.endsWith("/parts");
        if (isPart) peak = Math.max(peak, ++inFlight);
        try {
          return await fetch(request);
        } finally {
          if (isPart) inFlight--;
        }
      },
    });
    const file = await randomFile(20 * KiB);
    const upload = await uploadFile(client, {
      file: file.path,
      purpose: "user_data",
      mimeType: "application/octet-stream",
      partSize: KiB,
      concurrency: 3,
    });
    expect(peak).toBe(3);
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
  });

  it("sends no md5 when md5 is false", async () => {
    const local = await server();
    const bodies: string[] = [];
    const client = clientFor(local.url, "fetch", {
      fetch: async (request) => {
        if (request.url.endsWith("/complete")) bodies.push(await request.clone().text());
        return fetch(request);
      },
    });
    const file = await randomFile(3000);
    await uploadFile(client, { file: file.path, purpose: "batch", mimeType: "text/plain", md5: false });
    const withMd5 = await randomFile(3000);
    await uploadFile(client, { file: withMd5.path, purpose: "batch", mimeType: "text/plain" });
    expect(JSON.parse(bodies[0] ?? "{}")).not.toHaveProperty("md5");
    const { createHash } = await import("node:crypto");
    expect(JSON.parse(bodies[1] ?? "{}").md5).toBe(createHash("md5").update(withMd5.bytes).digest("hex"));
  });
});

describe("uploadFile's progress", () => {
  // fetch sends a part as one Blob, whose bytes it does not report as they go.
  it("counts a part's bytes as they stream over node:http, before the part is accepted", async () => {
    const local = await server();
    const size = 8 * KiB * KiB;
    const file = await randomFile(size);
    const progress = progressLog();
    await uploadFile(clientFor(local.url, "node:http"), {
      file: file.path,
      purpose: "batch",
      mimeType: "application/octet-stream",
      partSize: size,
      md5: false,
      onProgress: progress.onProgress,
    });
    const midPart = progress.events.filter((e) => e.partsDone === 0 && e.bytesSent > 0 && e.bytesSent < size);
    expect(midPart.length).toBeGreaterThan(0);
    expect(progress.events.at(-1)).toMatchObject({ bytesSent: size, partsDone: 1 });
  });
});

describe("uploadFile's create", () => {
  it("asks for the expiry given as expiresAfter", async () => {
    const local = await server();
    const file = await randomFile(KiB);
    let expiresAt = 0;
    const upload = await uploadFile(clientFor(local.url), {
      file: file.path,
      purpose: "batch",
      mimeType: "text/plain",
      expiresAfter: { anchor: "created_at", seconds: 7200 },
      onStart: (start) => {
        expiresAt = start.expiresAt;
      },
    });
    // The file expires when asked; an upload's own hour is not the file's.
    expect(upload.file?.expires_at).toBe(upload.created_at + 7200);
    expect(expiresAt).toBe(upload.expires_at);
  });

  it("is cut short by the caller's abort while the server does not answer", async () => {
    const hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = hanging.address() as AddressInfo;
      const file = await randomFile(KiB);
      const error = await rejection(
        uploadFile(clientFor(`http://127.0.0.1:${port}/v1`), {
          file: file.path,
          purpose: "batch",
          mimeType: "text/plain",
          signal: AbortSignal.timeout(200),
        }),
        APIUserAbortError,
      );
      // No upload exists yet, so there is nothing to cancel or name.
      expect(error.uploadId).toBeUndefined();
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});

describe("uploadFile's headers", () => {
  it.each(transports)(
    "carry a key read with a CR LF (a .env file from Windows) trimmed, over %s",
    async (transport) => {
      // The server takes only the bare key, so an untrimmed one on any request fails the upload.
      const local = await server({ apiKey: TEST_API_KEY });
      const file = await randomFile(2 * KiB);
      const client = clientFor(local.url, transport, { apiKey: `${TEST_API_KEY}\r\n` });
      const upload = await uploadFile(client, {
        file: file.path,
        purpose: "batch",
        mimeType: "text/plain",
        partSize: KiB,
      });
      expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
    },
  );

  it.each(transports)("skip a header whose value is undefined over %s, as the client does", async (transport) => {
    const local = await server();
    const file = await randomFile(2 * KiB);
    const upload = await uploadFile(clientFor(local.url, transport), {
      file: file.path,
      purpose: "batch",
      mimeType: "text/plain",
      partSize: KiB,
      headers: { "x-unset": undefined as never, "X-Trace-Id": "trace-8" },
    });
    expect(upload.status).toBe("completed");
  });

  it.each(transports)("go with every request over %s, the cancel after an abort included", async (transport) => {
    // A bare server that records headers, answers create, parts and cancel, and holds complete
    // while the caller aborts, so that uploadFile cancels.
    const controller = new AbortController();
    const seen: Array<{ path: string; trace: string | undefined }> = [];
    const fake = createServer((req, res) => {
      req.resume().on("end", () => {
        const path = new URL(req.url ?? "", "http://x").pathname.replace(/^\/v1\/uploads/, "");
        seen.push({ path, trace: req.headers["x-trace-id"] as string | undefined });
        if (path.endsWith("/complete")) return controller.abort();
        const body = path.endsWith("/parts")
          ? { id: `part_${seen.length}`, object: "upload.part", created_at: 1, upload_id: "upload_1" }
          : { ...UPLOAD_FIELDS, status: path.endsWith("/cancel") ? "cancelled" : "pending" };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = fake.address() as AddressInfo;
      const file = await randomFile(3 * KiB);
      await rejection(
        uploadFile(clientFor(`http://127.0.0.1:${port}/v1`, transport), {
          file: file.path,
          purpose: "batch",
          mimeType: "text/plain",
          partSize: KiB,
          signal: controller.signal,
          headers: { "X-Trace-Id": "trace-7" },
        }),
        APIUserAbortError,
      );
      expect(seen.map(({ path }) => path)).toEqual([
        "",
        "/upload_1/parts",
        "/upload_1/parts",
        "/upload_1/parts",
        "/upload_1/complete",
        "/upload_1/cancel",
      ]);
      expect(seen.every(({ trace }) => trace === "trace-7")).toBe(true);
    } finally {
      fake.closeAllConnections();
      fake.close();
    }
  });
});
