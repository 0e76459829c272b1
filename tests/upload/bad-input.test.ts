import { truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  APIUserAbortError,
  InvalidArgumentError,
  MAX_PARTS,
  MAX_UPLOAD_BYTES,
  type UploadFileOptions,
  uploadFile,
} from "../../src/index.js";
import { TEST_API_KEY } from "../support/keys.js";
import { rejection } from "../support/rejection.js";
import { tempDir } from "../support/temp.js";
import { clientFor, randomFile, server } from "./support.js";

const scratch = await tempDir("upload-bad-input-");

async function refused(options: UploadFileOptions, problem: RegExp) {
  const local = await server();
  const error = await rejection(uploadFile(clientFor(local.url), options), InvalidArgumentError);
  expect(error.message).toMatch(problem);
  expect(inspect(error)).not.toContain(TEST_API_KEY);
  expect(local.stats.requests).toBe(0);
}

describe("uploadFile refuses, before any request", () => {
  it("a path that does not exist", async () => {
    await refused({ file: join(scratch, "nope.bin"), purpose: "batch" }, /nope\.bin does not exist/);
  });

  it("a directory", async () => {
    await refused({ file: scratch, purpose: "batch" }, /is a directory; pass the path of a file/);
  });

  it("an empty file", async () => {
    await writeFile(join(scratch, "empty.txt"), "");
    await refused({ file: join(scratch, "empty.txt"), purpose: "batch" }, /empty; an upload needs at least one byte/);
  });

  it("a file over 8 GiB (sparse, so nothing is written)", async () => {
    const huge = join(scratch, "huge.bin");
    await writeFile(huge, "");
    await truncate(huge, MAX_UPLOAD_BYTES + 1);
    await refused(
      { file: huge, purpose: "batch", mimeType: "application/octet-stream" },
      /over the 8589934592 bytes \(8 GiB\) an upload can hold/,
    );
  });

  it("an unknown purpose", async () => {
    const { path } = await randomFile(10);
    await refused(
      { file: path, purpose: "training" as "batch" },
      /purpose "training" is not one the API accepts; use one of assistants, batch/,
    );
  });

  it.each([0, 1.5, 64 * 1024 * 1024 + 1])("part size %s", async (partSize) => {
    const { path } = await randomFile(10);
    await refused({ file: path, purpose: "batch", partSize }, /partSize must be a whole number from 1 to 67108864/);
  });

  it("a part size that cuts the file into more than MAX_PARTS parts, naming the smallest that works", async () => {
    const blob = new Blob([new Uint8Array(MAX_PARTS * 3 + 1)]);
    const options = { file: blob, filename: "a.bin", purpose: "batch", partSize: 3 } as const;
    await refused(
      options,
      /partSize 3 cuts the Blob \(30001 bytes\) into 10001 parts; an upload takes at most 10000\. Pass partSize: 4\./,
    );
  });

  it.each([0, 65])("concurrency %s", async (concurrency) => {
    const { path } = await randomFile(10);
    await refused({ file: path, purpose: "batch", concurrency }, /concurrency must be a whole number from 1 to 64/);
  });

  it("an extension with no known MIME type, asking for mimeType", async () => {
    const { path } = await randomFile(10, "data.zzqx");
    await refused({ file: path, purpose: "batch" }, /MIME type of "data\.zzqx" .*Pass mimeType/);
  });

  it("a Blob without a name, asking for filename", async () => {
    await refused(
      { file: new Blob(["abc"]), purpose: "batch" },
      /A Blob without a name needs a filename\. Pass filename/,
    );
  });
});

describe("uploadFile goes ahead with", () => {
  it("a file of exactly 8 GiB, the most an upload holds (sparse; aborted once created)", async () => {
    const full = join(scratch, "full.bin");
    await writeFile(full, "");
    await truncate(full, MAX_UPLOAD_BYTES);
    const local = await server();
    const stop = new AbortController();
    const error = await rejection(
      uploadFile(clientFor(local.url), {
        file: full,
        purpose: "batch",
        mimeType: "application/octet-stream",
        md5: false,
        signal: stop.signal,
        onStart: () => stop.abort(),
      }),
      APIUserAbortError,
    );
    expect(error.cancelled).toBe(true);
    expect(local.getUpload(error.uploadId ?? "")?.upload).toMatchObject({
      bytes: MAX_UPLOAD_BYTES,
      status: "cancelled",
    });
  });
});
