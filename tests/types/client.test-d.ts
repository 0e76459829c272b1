import { describe, expectTypeOf, it } from "vitest";
import {
  type APIError,
  type CreateUploadRequest,
  createUploadsClient,
  type ErrorBody,
  type OpenAIFile,
  type RequestIdentified,
  type RequestOptions,
  type Upload,
  type UploadFileOptions,
  type UploadPart,
  uploadFile,
} from "../../src/index.js";

const client = createUploadsClient({ apiKey: "sk-types" });

describe("types of the public API", () => {
  it("purpose is exactly the six-value union", () => {
    expectTypeOf<CreateUploadRequest["purpose"]>().not.toBeAny();
    expectTypeOf<CreateUploadRequest["purpose"]>().toEqualTypeOf<
      "assistants" | "batch" | "fine-tune" | "vision" | "user_data" | "evals"
    >();
    expectTypeOf<UploadFileOptions["purpose"]>().toEqualTypeOf<CreateUploadRequest["purpose"]>();
  });

  it("the objects have their schema's fields, typed", () => {
    expectTypeOf<UploadPart>().toEqualTypeOf<{
      id: string;
      created_at: number;
      upload_id: string;
      object: "upload.part";
    }>();
    expectTypeOf<ErrorBody>().toEqualTypeOf<{
      code: string | null;
      message: string;
      param: string | null;
      type: string;
    }>();
    expectTypeOf<APIError["error"]>().toEqualTypeOf<ErrorBody | undefined>();
    expectTypeOf<Upload>().not.toBeAny();
    expectTypeOf<Upload["id"]>().toEqualTypeOf<string>();
    expectTypeOf<Upload["bytes"]>().toEqualTypeOf<number>();
    expectTypeOf<OpenAIFile>().not.toBeAny();
    expectTypeOf<OpenAIFile["id"]>().toEqualTypeOf<string>();
    expectTypeOf<OpenAIFile["bytes"]>().toEqualTypeOf<number>();
    expectTypeOf<OpenAIFile["object"]>().toEqualTypeOf<"file">();
    expectTypeOf<RequestIdentified["_request_id"]>().toEqualTypeOf<string | undefined>();
  });

  it("a part's data is a Blob", () => {
    type PartBody = Parameters<typeof client.addUploadPart>[1];
    expectTypeOf<PartBody["data"]>().not.toBeAny();
    expectTypeOf<PartBody["data"]>().toEqualTypeOf<Blob>();
  });

  it("the operations resolve to Upload and UploadPart, not any", () => {
    expectTypeOf(client.createUpload).returns.not.toBeAny();
    expectTypeOf(client.createUpload).returns.resolves.toEqualTypeOf<Upload & RequestIdentified>();
    expectTypeOf(client.addUploadPart).returns.resolves.toEqualTypeOf<UploadPart & RequestIdentified>();
    expectTypeOf(client.completeUpload).returns.resolves.toEqualTypeOf<Upload & RequestIdentified>();
    expectTypeOf(client.cancelUpload).returns.resolves.toEqualTypeOf<Upload & RequestIdentified>();
    expectTypeOf(uploadFile).returns.resolves.toEqualTypeOf<Upload & RequestIdentified>();
    expectTypeOf<Upload["status"]>().toEqualTypeOf<"pending" | "completed" | "cancelled" | "expired">();
    expectTypeOf<NonNullable<Upload["file"]>>().toEqualTypeOf<OpenAIFile>();
  });

  it("positional path parameters come first, in path order; options come last", () => {
    expectTypeOf(client.addUploadPart).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(client.completeUpload).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(client.cancelUpload).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(client.createUpload).parameter(1).toEqualTypeOf<RequestOptions | undefined>();
    expectTypeOf(client.addUploadPart).parameter(2).toEqualTypeOf<RequestOptions | undefined>();
    expectTypeOf(client.completeUpload).parameter(2).toEqualTypeOf<RequestOptions | undefined>();
    expectTypeOf(client.cancelUpload).parameter(1).toEqualTypeOf<RequestOptions | undefined>();
    expectTypeOf(client.completeUpload).parameter(1).toHaveProperty("part_ids").toEqualTypeOf<string[]>();
  });

  it("misuse does not compile", () => {
    const body = { filename: "a.jsonl", bytes: 1, mime_type: "text/jsonl" } as const;
    // @ts-expect-error an unknown purpose
    void client.createUpload({ ...body, purpose: "training" });
    // @ts-expect-error a missing required field (bytes)
    void client.createUpload({ filename: "a", purpose: "batch", mime_type: "text/plain" });
    // @ts-expect-error an extra property
    void client.createUpload({ ...body, purpose: "batch", colour: "blue" });
    // @ts-expect-error data must be a Blob, not a string
    void client.addUploadPart("upload_1", { data: "bytes" });
    // @ts-expect-error complete needs part_ids
    void client.completeUpload("upload_1", {});
    // @ts-expect-error uploadFile needs a purpose
    void uploadFile(client, { file: "a.jsonl" });
  });
});
