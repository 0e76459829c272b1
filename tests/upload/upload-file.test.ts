import { describe, expect, it } from "vitest";
import { MAX_PART_BYTES, uploadFile } from "../../src/index.js";
import { clientFor, progressLog, randomFile, server, storedSha256, transports } from "./support.js";

const KiB = 1024;

describe.each(transports)("uploadFile over %s", (transport) => {
  const cases = [
    { name: "1 byte", size: 1, partSize: undefined, concurrency: undefined },
    { name: "exactly one 64 MiB part", size: MAX_PART_BYTES, partSize: undefined, concurrency: undefined },
    { name: "one part plus 1 byte", size: 64 * KiB + 1, partSize: 64 * KiB, concurrency: 1 },
    { name: "many parts, 3 at a time", size: 1000 * KiB + 123, partSize: 32 * KiB, concurrency: 3 },
  ];

  it.each(cases)("sends $name byte-exact", async ({ size, partSize, concurrency }) => {
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
    const partsTotal = Math.ceil(size / (partSize ?? MAX_PART_BYTES));
    expect(progress.events.at(-1)).toEqual({ bytesSent: size, totalBytes: size, partsDone: partsTotal, partsTotal });
    expect(local.stats.byOperation.addUploadPart).toBe(partsTotal);
    expect(local.getUpload(upload.id)?.upload.status).toBe("completed");
  });
});

describe("uploadFile", () => {
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
