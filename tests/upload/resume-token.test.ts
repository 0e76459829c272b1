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
