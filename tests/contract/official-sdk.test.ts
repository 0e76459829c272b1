import { createHash } from "node:crypto";
import OpenAI, { toFile } from "openai";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type CompleteUploadRequest, type CreateUploadRequest, UPLOAD_PURPOSES } from "../../src/index.js";
import { rejection } from "../support/rejection.js";
import { API_KEY, baseUrl, CREATE, expectAllConform, isPrism, PART_BYTES, recorder, violations } from "./support.js";

/**
 * The official `openai` SDK (6.20.0) is a second client, written by others from their own copy
 * of the contract. Every request it sends must pass our spec's mock: if our spec were stricter
 * than the API in a way the SDK trips over, this fails.
 */
describe("the official openai SDK against our spec", () => {
  function sdk() {
    const { exchanges, fetch } = recorder();
    return { exchanges, openai: new OpenAI({ apiKey: API_KEY, baseURL: baseUrl, maxRetries: 0, fetch }) };
  }

  it("has the same request types as our spec", () => {
    // Checked by `tsc`: the bodies the SDK lets a caller write are exactly the ones ours does.
    expectTypeOf<OpenAI.UploadCreateParams>().toEqualTypeOf<CreateUploadRequest>();
    expectTypeOf<OpenAI.UploadCompleteParams>().toEqualTypeOf<CompleteUploadRequest>();
    expectTypeOf<OpenAI.FilePurpose>().toEqualTypeOf<(typeof UPLOAD_PURPOSES)[number]>();
  });

  it("drives create, parts, complete and cancel, and every request is accepted", async () => {
    const { openai, exchanges } = sdk();
    const upload = await openai.uploads.create({ ...CREATE, bytes: 2 * PART_BYTES.byteLength });
    expect(upload).toMatchObject({ object: "upload", status: "pending" });
    // Both ways the SDK documents: toFile over bytes, and a File.
    const first = await openai.uploads.parts.create(upload.id, { data: await toFile(PART_BYTES, "part-1.jsonl") });
    const second = await openai.uploads.parts.create(upload.id, { data: new File([PART_BYTES], "part-2.jsonl") });
    expect([first.object, second.object]).toEqual(["upload.part", "upload.part"]);
    const md5 = createHash("md5").update(PART_BYTES).update(PART_BYTES).digest("hex");
    const completed = await openai.uploads.complete(upload.id, { part_ids: [first.id, second.id], md5 });
    expect(completed).toMatchObject({ object: "upload", status: "completed", file: { object: "file" } });

    const other = await openai.uploads.create(CREATE);
    const cancelled = await openai.uploads.cancel(other.id);
    expect(cancelled).toMatchObject({ object: "upload", status: "cancelled" });
    await expectAllConform(exchanges, 6);
  });

  it.each(UPLOAD_PURPOSES)("accepts purpose %s, like every value of the SDK's FilePurpose", async (purpose) => {
    const { openai, exchanges } = sdk();
    await openai.uploads.create({ ...CREATE, purpose, expires_after: { anchor: "created_at", seconds: 3600 } });
    await expectAllConform(exchanges, 1);
  });

  it.runIf(isPrism)("its errors parse our spec's error responses (Prefer: code=...)", async () => {
    const { openai, exchanges } = sdk();
    const classes = [
      [401, OpenAI.AuthenticationError],
      [404, OpenAI.NotFoundError],
      [429, OpenAI.RateLimitError],
      [500, OpenAI.InternalServerError],
    ] as const;
    for (const [status, ErrorClass] of classes) {
      const error = await rejection(
        openai.uploads.cancel("upload_abc123", { headers: { Prefer: `code=${status}` } }),
        ErrorClass,
      );
      expect(error).toMatchObject({ status, requestID: expect.stringMatching(/^req_/), type: expect.any(String) });
    }
    expect(exchanges).toHaveLength(classes.length);
  });

  // Not an incompatibility of our spec but a trap of the SDK that the mock exposes: a Blob
  // without a name (outside the SDK's `Uploadable` type, but what plain JavaScript may pass) is
  // left out of the form by SDK 6.20, which then sends an empty multipart body. Our client sends
  // a Blob as a file part named "blob".
  it.runIf(isPrism)("a nameless Blob is dropped by the SDK, and the mock refuses the empty part", async () => {
    const { openai, exchanges } = sdk();
    const data = new Blob([PART_BYTES]) as unknown as File;
    await expect(openai.uploads.parts.create("upload_abc123", { data })).rejects.toBeInstanceOf(
      OpenAI.UnprocessableEntityError,
    );
    const response = exchanges[0]?.response as Response;
    expect(violations(response).map((v) => v.message)).toEqual(["Request body must have required property 'data'"]);
  });
});
