import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/index.js";
import { encodeResumeToken, parseResume, type UploadResume } from "../../src/upload/resume.js";

const KiB = 1024;

/** Resume states as the server could shape them: any Unicode in the ids, a part count that fits. */
const resumes = fc
  .record({
    uploadId: fc.string({ unit: "binary", minLength: 1 }),
    expiresAt: fc.integer({ min: 0, max: 2 ** 40 }),
    partSize: fc.integer({ min: 1, max: 4 * KiB }),
    parts: fc.array(fc.option(fc.string({ unit: "binary", minLength: 1 })), { minLength: 1, maxLength: 20 }),
    // JSON has no -0; a modification time is never negative anyway.
    mtimeMs: fc.option(
      fc.double({ min: 0, max: 1e15, noNaN: true }).map((ms) => ms + 0),
      { nil: undefined },
    ),
  })
  .map(
    ({ parts, partSize, mtimeMs, ...rest }): UploadResume => ({
      version: 1,
      ...rest,
      bytes: (parts.length - 1) * partSize + 1,
      partSize,
      ...(mtimeMs !== undefined ? { mtimeMs } : {}),
      partIds: parts,
    }),
  );

describe("resume tokens", () => {
  it("round-trip any state, and are URL-safe ASCII", () => {
    fc.assert(
      fc.property(resumes, (resume) => {
        const token = encodeResumeToken(resume);
        expect(token).toMatch(/^oaiu1\.[A-Za-z0-9_-]*$/);
        expect(parseResume(token)).toEqual(resume);
      }),
    );
  });

  it.each([
    ["another prefix", "xyz1.e30"],
    ["not base64", "oaiu1.%%%"],
    ["JSON of another shape", `oaiu1.${btoa('{"version":1}')}`],
    [
      "a part count that does not fit the size",
      encodeResumeToken({ version: 1, uploadId: "upload_a", expiresAt: 1, bytes: 10, partSize: 4, partIds: [null] }),
    ],
    [
      "a part size of 0",
      encodeResumeToken({ version: 1, uploadId: "upload_a", expiresAt: 1, bytes: 0, partSize: 0, partIds: [] }),
    ],
  ])("refuse %s with one message", (_, token) => {
    expect(() => parseResume(token)).toThrow(InvalidArgumentError);
    expect(() => parseResume(token)).toThrow(/not a resume token or state; pass the `resumeToken` or `resume`/);
  });
});

/** A valid state of 3 parts of 4 bytes each but the last, which the cases below spoil one field at a time. */
const VALID: UploadResume = {
  version: 1,
  uploadId: "upload_a",
  expiresAt: 1_800_000_000,
  bytes: 10,
  partSize: 4,
  mtimeMs: 1_700_000_000_123.5,
  partIds: ["part_1", null, "part_3"],
  completing: true,
};

describe("a resume state", () => {
  it("is taken as an object or a token when whole", () => {
    expect(parseResume(VALID)).toEqual(VALID);
    expect(parseResume(encodeResumeToken(VALID))).toEqual(VALID);
    const { mtimeMs: _, completing: __, ...bare } = VALID;
    expect(parseResume(bare)).toEqual(bare);
    expect(parseResume({ ...VALID, partSize: 64 * KiB * KiB, bytes: 1, partIds: [null] }).partSize).toBe(
      64 * KiB * KiB,
    );
  });

  it.each<[string, Record<string, unknown> | null]>([
    ["null", null],
    ["another version", { ...VALID, version: 2 }],
    ["no upload id", { ...VALID, uploadId: undefined }],
    ["an empty upload id", { ...VALID, uploadId: "" }],
    ["an upload id that is not text", { ...VALID, uploadId: 7 }],
    ["an expiry that is not a whole number", { ...VALID, expiresAt: 1.5 }],
    ["an expiry as text", { ...VALID, expiresAt: "1800000000" }],
    ["a size that is not a whole number", { ...VALID, bytes: 10.5 }],
    ["a part size that is not a whole number", { ...VALID, partSize: 4.5 }],
    ["a negative part size", { ...VALID, partSize: -4 }],
    ["a part size over 64 MiB", { ...VALID, partSize: 64 * KiB * KiB + 1, bytes: 1, partIds: [null] }],
    ["a modification time as text", { ...VALID, mtimeMs: "yesterday" }],
    ["completing that is not a boolean", { ...VALID, completing: "yes" }],
    ["part ids that are not a list", { ...VALID, partIds: "part_1" }],
    ["one part id too many", { ...VALID, partIds: ["part_1", null, "part_3", null] }],
    ["one part id too few", { ...VALID, partIds: ["part_1", null] }],
    ["an empty part id", { ...VALID, partIds: ["part_1", "", "part_3"] }],
    ["a part id that is not text", { ...VALID, partIds: ["part_1", 2, "part_3"] }],
  ])("is refused with %s, as an object and as a token", (_, tampered) => {
    expect(() => parseResume(tampered as unknown as UploadResume)).toThrow(InvalidArgumentError);
    const token = `oaiu1.${Buffer.from(JSON.stringify(tampered)).toString("base64url")}`;
    expect(() => parseResume(token)).toThrow(/not a resume token or state/);
  });
});
