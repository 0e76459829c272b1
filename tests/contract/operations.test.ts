import { createHash } from "node:crypto";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type APIError,
  AuthenticationError,
  type ErrorBody,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  type RequestIdentified,
  UnprocessableEntityError,
  UPLOAD_PURPOSES,
  type Upload,
  type UploadPart,
  type UploadsClient,
} from "../../src/index.js";
import { rejection } from "../support/rejection.js";
import {
  API_KEY,
  CREATE,
  expectAllConform,
  isPrism,
  PART_BYTES,
  rawClient,
  recordingClient,
  violations,
} from "./support.js";

/**
 * The positive flows chain real ids (create, then part, then complete), so they hold against
 * Prism and against a real server behind TEST_API_BASE_URL alike.
 */
describe("each operation through the public client: 200, no violation, a typed result", () => {
  it("createUpload returns a pending Upload", async () => {
    const { client, exchanges } = recordingClient();
    const upload = await client.createUpload(CREATE);
    expectTypeOf(upload).toEqualTypeOf<Upload & RequestIdentified>();
    expectTypeOf(upload.status).toEqualTypeOf<"pending" | "completed" | "cancelled" | "expired">();
    expect(upload).toMatchObject({ object: "upload", status: "pending" });
    expect(upload.id).toEqual(expect.any(String));
    expect(upload.expires_at).toBeGreaterThan(upload.created_at);
    await expectAllConform(exchanges, 1);
  });

  it("createUpload with expires_after", async () => {
    const { client, exchanges } = recordingClient();
    const upload = await client.createUpload({ ...CREATE, expires_after: { anchor: "created_at", seconds: 86_400 } });
    expect(upload.status).toBe("pending");
    await expectAllConform(exchanges, 1);
  });

  it("addUploadPart takes a Blob and a File and returns an UploadPart", async () => {
    const { client, exchanges } = recordingClient();
    const upload = await client.createUpload(CREATE);
    const part = await client.addUploadPart(upload.id, { data: new Blob([PART_BYTES]) });
    expectTypeOf(part).toEqualTypeOf<UploadPart & RequestIdentified>();
    expect(part).toMatchObject({ object: "upload.part", id: expect.any(String), upload_id: expect.any(String) });
    const filePart = await client.addUploadPart(upload.id, { data: new File([PART_BYTES], "part.jsonl") });
    expect(filePart.object).toBe("upload.part");
    await expectAllConform(exchanges, 3);
    expect(exchanges[1]?.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
  });

  it("completeUpload returns the completed Upload with its File", async () => {
    const { client, exchanges } = recordingClient();
    const upload = await client.createUpload(CREATE);
    const part = await client.addUploadPart(upload.id, { data: new Blob([PART_BYTES]) });
    const md5 = createHash("md5").update(PART_BYTES).digest("hex");
    const completed = await client.completeUpload(upload.id, { part_ids: [part.id], md5 });
    expectTypeOf(completed).toEqualTypeOf<Upload & RequestIdentified>();
    expect(completed).toMatchObject({ object: "upload", status: "completed" });
    expect(completed.file).toMatchObject({ object: "file", id: expect.any(String) });
    await expectAllConform(exchanges, 3);
  });

  it("cancelUpload returns the cancelled Upload", async () => {
    const { client, exchanges } = recordingClient();
    const upload = await client.createUpload(CREATE);
    const cancelled = await client.cancelUpload(upload.id);
    expectTypeOf(cancelled).toEqualTypeOf<Upload & RequestIdentified>();
    expect(cancelled).toMatchObject({ object: "upload", status: "cancelled" });
    await expectAllConform(exchanges, 2);
  });
});

/**
 * What the spec forbids, sent through a bare openapi-fetch client (auth headers, no retries,
 * no checks) with casts where the types would stop it. Prism must refuse each with
 * the violation that names the problem: proof that the mock enforces the contract, so the
 * positive tests above mean something.
 */
describe.runIf(isPrism)("the mock refuses what the spec forbids", () => {
  const client = { raw: rawClient() };
  const ID = { path: { upload_id: "upload_abc123" } };

  async function refused(sent: Promise<{ response: Response }>, status: number) {
    const { response } = await sent;
    expect(response.status).toBe(status);
    return violations(response).map((v) => `${v.location.join(".")}: ${v.message}`);
  }

  it("createUpload with an unknown purpose", async () => {
    const sent = client.raw.POST("/uploads", { body: { ...CREATE, purpose: "training" as "batch" } });
    expect(await refused(sent, 422)).toEqual([
      "request.body.purpose: Request body property purpose must be equal to one of the allowed values: " +
        UPLOAD_PURPOSES.join(", "),
    ]);
  });

  it("createUpload with an extra property", async () => {
    const sent = client.raw.POST("/uploads", { body: { ...CREATE, colour: "blue" } as typeof CREATE });
    expect(await refused(sent, 422)).toEqual([
      "request.body: Request body must NOT have additional properties; found 'colour'",
    ]);
  });

  it("createUpload without a required field, and with an expiry under an hour", async () => {
    const { mime_type: _, ...noMime } = CREATE;
    const missing = client.raw.POST("/uploads", { body: noMime as typeof CREATE });
    expect(await refused(missing, 422)).toEqual(["request.body: Request body must have required property 'mime_type'"]);
    const short = client.raw.POST("/uploads", {
      body: { ...CREATE, expires_after: { anchor: "created_at", seconds: 60 } },
    });
    expect(await refused(short, 422)).toEqual([
      "request.body.expires_after.seconds: Request body property expires_after.seconds must be >= 3600",
    ]);
  });

  it("addUploadPart without data", async () => {
    const form = new FormData();
    form.append("other", new Blob([PART_BYTES]), "part.jsonl");
    const sent = client.raw.POST("/uploads/{upload_id}/parts", {
      params: ID,
      body: {} as { data: Blob },
      bodySerializer: () => form,
    });
    expect(await refused(sent, 422)).toEqual(["request.body: Request body must have required property 'data'"]);
  });

  it("completeUpload without part_ids, with part_ids not a list, with an extra property", async () => {
    const complete = (body: unknown) =>
      client.raw.POST("/uploads/{upload_id}/complete", { params: ID, body: body as { part_ids: string[] } });
    expect(await refused(complete({ md5: "d41d8cd98f00b204e9800998ecf8427e" }), 422)).toEqual([
      "request.body: Request body must have required property 'part_ids'",
    ]);
    expect(await refused(complete({ part_ids: "part_1" }), 422)).toEqual([
      "request.body.part_ids: Request body property part_ids must be array",
    ]);
    expect(await refused(complete({ part_ids: ["part_1"], parts: 1 }), 422)).toEqual([
      "request.body: Request body must NOT have additional properties; found 'parts'",
    ]);
  });

  it("cancelUpload with an empty upload id", async () => {
    const sent = client.raw.POST("/uploads/{upload_id}/cancel", { params: { path: { upload_id: "" } } });
    expect(await refused(sent, 422)).toEqual(["request.path: Request path must have required property 'upload_id'"]);
  });

  // openapi-fetch drops a header set to null, so this removes the client's Authorization.
  const noAuth = { headers: { Authorization: null } };
  it.each([
    ["createUpload", () => client.raw.POST("/uploads", { body: CREATE, ...noAuth })],
    [
      "addUploadPart",
      () =>
        client.raw.POST("/uploads/{upload_id}/parts", {
          params: ID,
          body: { data: new Blob([PART_BYTES]) },
          bodySerializer: (body) => {
            const form = new FormData();
            form.append("data", body.data, "part.jsonl");
            return form;
          },
          ...noAuth,
        }),
    ],
    [
      "completeUpload",
      () => client.raw.POST("/uploads/{upload_id}/complete", { params: ID, body: { part_ids: [] }, ...noAuth }),
    ],
    ["cancelUpload", () => client.raw.POST("/uploads/{upload_id}/cancel", { params: ID, ...noAuth })],
  ])("%s without Authorization gets 401", async (_, send) => {
    expect(await refused(send(), 401)).toEqual(["request: Invalid security scheme used"]);
  });

  it("and the public client surfaces such a refusal as an UnprocessableEntityError", async () => {
    const { client: checked } = recordingClient();
    const body = { ...CREATE, purpose: "training" } as unknown as typeof CREATE;
    const error = await rejection(checked.createUpload(body), UnprocessableEntityError);
    expect(error.headers.get("sl-violations")).toMatch(/purpose must be equal to one of the allowed/);
  });
});

/**
 * `Prefer: code=N` makes Prism answer with the spec's response for N (429, or the `default`
 * error response), so every operation's error path can be driven through the public client.
 */
describe.runIf(isPrism)("error responses map to their classes (Prefer: code=...)", () => {
  const calls: [string, (client: UploadsClient, headers: Record<string, string>) => Promise<unknown>][] = [
    ["createUpload", (c, headers) => c.createUpload(CREATE, { headers })],
    ["addUploadPart", (c, headers) => c.addUploadPart("upload_abc123", { data: new Blob([PART_BYTES]) }, { headers })],
    ["completeUpload", (c, headers) => c.completeUpload("upload_abc123", { part_ids: ["part_def456"] }, { headers })],
    ["cancelUpload", (c, headers) => c.cancelUpload("upload_abc123", { headers })],
  ];
  const classes = [
    [401, AuthenticationError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, InternalServerError],
  ] as const;
  const cases = calls.flatMap(([name, call]) =>
    classes.map(([status, ErrorClass]) => [name, status, ErrorClass, call] as const),
  );

  it.each(cases)("%s, %i", async (_, status, ErrorClass, call) => {
    const { client, exchanges } = recordingClient({ maxRetries: 0 });
    const apiError: APIError = await rejection(call(client, { Prefer: `code=${status}` }), ErrorClass);
    expect(apiError.status).toBe(status);
    expectTypeOf(apiError.error).toEqualTypeOf<ErrorBody | undefined>();
    // The parsed body is the one Prism sent, field for field.
    const sent = (await exchanges[0]?.response.json()) as { error: ErrorBody };
    expect(apiError.error).toEqual(sent.error);
    expect(apiError.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    const requestId = exchanges[0]?.response.headers.get("x-request-id");
    expect(requestId).toBeTruthy();
    expect(apiError.requestId).toBe(requestId);
    expect(apiError.message).toContain(requestId);
    expect(apiError.message).not.toContain(API_KEY);
    // maxRetries 0: a 429 or 500 is reported, not retried.
    expect(exchanges).toHaveLength(1);
  });

  it("a 500 is retried maxRetries times, then reported", async () => {
    const { client, exchanges } = recordingClient({ maxRetries: 1 });
    await expect(client.cancelUpload("upload_abc123", { headers: { Prefer: "code=500" } })).rejects.toThrow(
      InternalServerError,
    );
    expect(exchanges.map((e) => e.response.status)).toEqual([500, 500]);
    expect(exchanges.map((e) => e.headers.get("x-retry-count"))).toEqual(["0", "1"]);
  });

  it("a 404 is not retried, whatever maxRetries", async () => {
    const { client, exchanges } = recordingClient({ maxRetries: 2 });
    await expect(client.cancelUpload("upload_abc123", { headers: { Prefer: "code=404" } })).rejects.toThrow(
      NotFoundError,
    );
    expect(exchanges).toHaveLength(1);
  });
});
