import { describe, expect, expectTypeOf, it } from "vitest";
import {
  AuthenticationError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  type Upload,
  type UploadPart,
} from "../../src/index.js";
import { API_KEY, baseUrl, isPrism, recordingClient } from "./support.js";

const create = {
  filename: "training_examples.jsonl",
  purpose: "fine-tune",
  bytes: 2_147_483_648,
  mime_type: "text/jsonl",
} as const;

describe("each operation, through the public client, conforms", () => {
  it("createUpload", async () => {
    const { client, responses } = recordingClient();
    const upload = await client.createUpload(create);
    expectTypeOf(upload).toEqualTypeOf<Upload>();
    expect(upload.object).toBe("upload");
    expect(["pending", "completed", "cancelled", "expired"]).toContain(upload.status);
    expect(responses[0]?.status).toBe(200);
    expect(responses[0]?.headers.get("sl-violations")).toBeNull();
  });

  it("addUploadPart with a Blob and with a File", async () => {
    const { client, responses } = recordingClient();
    const part = await client.addUploadPart("upload_abc123", { data: new Blob([new Uint8Array(2048)]) });
    expectTypeOf(part).toEqualTypeOf<UploadPart>();
    expect(part.object).toBe("upload.part");
    await client.addUploadPart("upload_abc123", { data: new File(["{}\n"], "part.jsonl") });
    expect(responses.map((r) => [r.status, r.headers.get("sl-violations")])).toEqual([
      [200, null],
      [200, null],
    ]);
  });

  it("completeUpload with and without md5", async () => {
    const { client, responses } = recordingClient();
    const upload = await client.completeUpload("upload_abc123", { part_ids: ["part_1", "part_2"] });
    expect(upload.object).toBe("upload");
    await client.completeUpload("upload_abc123", { part_ids: ["part_1"], md5: "9e107d9d372bb6826bd81d3542a419d6" });
    expect(responses.every((r) => r.status === 200 && !r.headers.get("sl-violations"))).toBe(true);
  });

  it("cancelUpload", async () => {
    const { client, responses } = recordingClient();
    const upload = await client.cancelUpload("upload_abc123");
    expect(upload.object).toBe("upload");
    expect(responses[0]?.headers.get("sl-violations")).toBeNull();
  });
});

describe.runIf(isPrism)("the mock enforces the contract", () => {
  const { client } = recordingClient();
  // Prism answers 422 and names each violation in the sl-violations header.
  const violation = async (result: Promise<{ response: Response }>) => {
    const { response } = await result;
    return { status: response.status, body: response.headers.get("sl-violations") ?? "" };
  };

  it("refuses an unknown purpose", async () => {
    const sent = client.raw.POST("/uploads", { body: { ...create, purpose: "training" as "batch" } });
    const { status, body } = await violation(sent);
    expect(status).toBe(422);
    expect(body).toMatch(/purpose.*must be equal to one of the allowed values/);
  });

  it("refuses an extra property", async () => {
    const sent = client.raw.POST("/uploads", { body: { ...create, colour: "blue" } as typeof create });
    const { status, body } = await violation(sent);
    expect(status).toBe(422);
    expect(body).toMatch(/must NOT have additional properties; found 'colour'/);
  });

  it("refuses a part without data", async () => {
    const form = new FormData();
    form.append("other", "x");
    const sent = client.raw.POST("/uploads/{upload_id}/parts", {
      params: { path: { upload_id: "upload_abc123" } },
      body: {} as { data: Blob },
      bodySerializer: () => form,
    });
    const { status, body } = await violation(sent);
    expect(status).toBe(422);
    expect(body).toMatch(/must have required property 'data'/);
  });

  it("refuses a request without Authorization", async () => {
    const response = await fetch(`${baseUrl}/uploads/upload_abc123/cancel`, { method: "POST" });
    expect(response.status).toBe(401);
  });
});

describe.runIf(isPrism)("error responses map to their classes (Prefer: code=...)", () => {
  const cases = [
    [401, AuthenticationError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, InternalServerError],
  ] as const;

  it.each(cases)("%i", async (status, ErrorClass) => {
    const { client } = recordingClient(0);
    const error = await client.cancelUpload("upload_abc123", { headers: { Prefer: `code=${status}` } }).catch((e) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.status).toBe(status);
    expect(typeof error.error?.message).toBe("string");
    expect(error.message).not.toContain(API_KEY);
  });

  it("retries a 500 and gives up after maxRetries", async () => {
    const { client, responses } = recordingClient(1);
    await expect(client.cancelUpload("upload_abc123", { headers: { Prefer: "code=500" } })).rejects.toThrow(
      InternalServerError,
    );
    expect(responses).toHaveLength(2);
  });
});
