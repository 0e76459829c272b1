import { stat } from "node:fs/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PART_BYTES, MAX_PARTS, MAX_UPLOAD_BYTES, type UploadStart, uploadFile } from "../../src/index.js";
import {
  choosePartSizing,
  DEFAULT_CONCURRENCY,
  MIN_DEFAULT_PART_BYTES,
  partPlan,
  STREAM_BUFFER_BYTES,
} from "../../src/upload/part-plan.js";
import { clientFor, randomFile, server, storedSha256 } from "./support.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe("partPlan", () => {
  it("covers the file exactly, in order, with every part within the limits", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_UPLOAD_BYTES }),
        fc.integer({ min: 1, max: MAX_PART_BYTES }),
        (total, partSize) => {
          fc.pre(total / partSize <= 20_000); // keep each run's plan small enough to walk
          const parts = partPlan(total, partSize);
          expect(parts.length).toBe(Math.ceil(total / partSize));
          let expectedStart = 0;
          for (const [i, part] of parts.entries()) {
            expect(part.index).toBe(i);
            expect(part.start).toBe(expectedStart);
            const size = part.end - part.start;
            expect(size).toBeGreaterThanOrEqual(1);
            expect(size).toBeLessThanOrEqual(partSize);
            if (i < parts.length - 1) expect(size).toBe(partSize);
            expectedStart = part.end;
          }
          expect(expectedStart).toBe(total);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("gives 64 MiB parts and a short last one for 8 GiB minus one byte", () => {
    const parts = partPlan(MAX_UPLOAD_BYTES - 1, MAX_PART_BYTES);
    expect(parts).toHaveLength(128);
    expect(parts.at(-1)).toEqual({ index: 127, start: 127 * MAX_PART_BYTES, end: MAX_UPLOAD_BYTES - 1 });
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses part size %s rather than loop forever", (size) => {
    expect(() => partPlan(10, size)).toThrow(RangeError);
  });

  it.each([-1, 0.5, Number.POSITIVE_INFINITY])("refuses total size %s", (total) => {
    expect(() => partPlan(total, 4)).toThrow(RangeError);
  });
});

describe("choosePartSizing: the defaults, chosen for the file", () => {
  it.each([
    // size, part size, parts: up to 8 MiB in one part; two parts per connection from 128 MiB; 64 MiB from 1 GiB
    [1, MIN_DEFAULT_PART_BYTES, 1],
    [1 * MiB, MIN_DEFAULT_PART_BYTES, 1],
    [8 * MiB, MIN_DEFAULT_PART_BYTES, 1],
    [8 * MiB + 1, MIN_DEFAULT_PART_BYTES, 2],
    [64 * MiB, 8 * MiB, 8],
    [128 * MiB, 8 * MiB, 16],
    [200 * MiB, 12.5 * MiB, 16],
    [512 * MiB, 32 * MiB, 16],
    [1 * GiB, 64 * MiB, 16],
    [MAX_UPLOAD_BYTES, 64 * MiB, 128],
  ])("a file of %d bytes: parts of %d bytes, %d of them, 8 at a time", (size, partSize, parts) => {
    expect(choosePartSizing(size, { stream: false })).toEqual({ partSize, concurrency: DEFAULT_CONCURRENCY });
    expect(Math.ceil(size / partSize)).toBe(parts);
  });

  it("uses a concurrency the caller sets to cut two parts per connection", () => {
    expect(choosePartSizing(512 * MiB, { concurrency: 4, stream: false })).toEqual({
      partSize: 64 * MiB,
      concurrency: 4,
    });
    expect(choosePartSizing(512 * MiB, { concurrency: 16, stream: false })).toEqual({
      partSize: 16 * MiB,
      concurrency: 16,
    });
    expect(choosePartSizing(128 * MiB, { concurrency: 1, stream: false })).toEqual({
      partSize: 64 * MiB,
      concurrency: 1,
    });
  });

  it("keeps a part size that is given, or that a resume was cut with, whatever the defaults would choose", () => {
    // The defaults would cut 512 MiB into 32 MiB parts; a resume of an upload cut in 64 MiB ones keeps them.
    expect(choosePartSizing(512 * MiB, { partSize: 64 * MiB, stream: false })).toEqual({
      partSize: 64 * MiB,
      concurrency: DEFAULT_CONCURRENCY,
    });
    expect(choosePartSizing(3 * KiB, { partSize: KiB, stream: false })).toEqual({ partSize: KiB, concurrency: 8 });
    expect(choosePartSizing(10, { partSize: 3, concurrency: 2, stream: true })).toEqual({
      partSize: 3,
      concurrency: 2,
    });
  });

  it("keeps a stream's buffers, (concurrency + 1) x part size, within 320 MiB when either is left to the defaults", () => {
    expect(STREAM_BUFFER_BYTES).toBe(5 * 64 * MiB); // what the fixed defaults held: 5 buffers of 64 MiB
    expect(choosePartSizing(512 * MiB, { stream: true })).toEqual({ partSize: 32 * MiB, concurrency: 8 });
    expect(choosePartSizing(8 * GiB, { stream: true })).toEqual({
      partSize: Math.floor((320 * MiB) / 9),
      concurrency: 8,
    });
    // A stream's part size given (or resumed): the concurrency fits it, 4 for 64 MiB as before.
    expect(choosePartSizing(8 * GiB, { partSize: 64 * MiB, stream: true }).concurrency).toBe(4);
    expect(choosePartSizing(8 * GiB, { partSize: 48 * MiB, stream: true }).concurrency).toBe(5);
    expect(choosePartSizing(8 * GiB, { partSize: 8 * MiB, stream: true }).concurrency).toBe(8);
    // A concurrency given: the part size fits it, under the 8 MiB floor if need be.
    expect(choosePartSizing(8 * GiB, { concurrency: 64, stream: true }).partSize).toBe(Math.floor((320 * MiB) / 65));
  });

  it("always gives a part size the API and MAX_PARTS take, and holds the rule's bounds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_UPLOAD_BYTES }),
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: MAX_PART_BYTES }), { nil: undefined }),
        fc.boolean(),
        (size, concurrency, partSize, stream) => {
          fc.pre(partSize === undefined || Math.ceil(size / partSize) <= MAX_PARTS);
          const chosen = choosePartSizing(size, { concurrency, partSize, stream });
          expect(chosen.concurrency).toBe(concurrency ?? chosen.concurrency);
          expect(chosen.partSize).toBe(partSize ?? chosen.partSize);
          expect(chosen.concurrency).toBeGreaterThanOrEqual(1);
          expect(chosen.concurrency).toBeLessThanOrEqual(64);
          expect(Number.isSafeInteger(chosen.partSize)).toBe(true);
          expect(chosen.partSize).toBeGreaterThanOrEqual(1);
          expect(chosen.partSize).toBeLessThanOrEqual(MAX_PART_BYTES);
          expect(Math.ceil(size / chosen.partSize)).toBeLessThanOrEqual(MAX_PARTS);
          if (stream && (partSize === undefined || concurrency === undefined)) {
            expect((chosen.concurrency + 1) * chosen.partSize).toBeLessThanOrEqual(STREAM_BUFFER_BYTES);
          }
          if (partSize === undefined && !stream) {
            expect(chosen.partSize).toBeGreaterThanOrEqual(MIN_DEFAULT_PART_BYTES);
            // Two parts per connection, where the part size's bounds let it be so.
            const parts = Math.ceil(size / chosen.partSize);
            const ideal = size / (2 * chosen.concurrency);
            if (ideal < MIN_DEFAULT_PART_BYTES) expect(chosen.partSize).toBe(MIN_DEFAULT_PART_BYTES);
            else if (ideal > MAX_PART_BYTES) expect(chosen.partSize).toBe(MAX_PART_BYTES);
            else expect(parts).toBe(2 * chosen.concurrency);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("uploadFile's defaults", () => {
  it("cut a file by the rule when the caller sets no part size", async () => {
    const local = await server();
    const file = await randomFile(9 * MiB);
    const starts: UploadStart[] = [];
    await uploadFile(clientFor(local.url), {
      file: file.path,
      purpose: "batch",
      mimeType: "application/octet-stream",
      onStart: (start) => starts.push(start),
    });
    // 9 MiB: 8 MiB (the floor) and the 1 MiB left.
    expect(starts).toMatchObject([{ origin: "created", partsTotal: 2 }]);
    expect(local.stats.byOperation.addUploadPart).toBe(2);
  });

  it("a resume keeps the part size it started with, though the defaults would now cut the file in one part", async () => {
    const local = await server();
    const file = await randomFile(3 * KiB);
    const client = clientFor(local.url);
    // An upload cut in 1 KiB parts, its first part sent: what an UploadFileError's resume holds.
    const created = await client.createUpload({
      filename: "resumed.bin",
      purpose: "batch",
      bytes: file.bytes.length,
      mime_type: "application/octet-stream",
    });
    const first = await client.addUploadPart(created.id, { data: new Blob([file.bytes.subarray(0, KiB)]) });
    const starts: UploadStart[] = [];
    const upload = await uploadFile(client, {
      file: file.path,
      purpose: "batch",
      mimeType: "application/octet-stream",
      resume: {
        version: 1,
        uploadId: created.id,
        expiresAt: created.expires_at,
        bytes: file.bytes.length,
        partSize: KiB,
        mtimeMs: (await stat(file.path)).mtimeMs,
        partIds: [first.id, null, null],
      },
      onStart: (start) => starts.push(start),
    });
    expect(starts).toMatchObject([{ origin: "resume", partsDone: 1, partsTotal: 3 }]);
    expect(local.stats.byOperation.addUploadPart).toBe(3);
    expect(upload.id).toBe(created.id);
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
  });
});
