import { request } from "node:http";
import { expect } from "vitest";
import type { components } from "../../generated/schema.js";
import type { Upload, UploadPart } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";

type CreateUploadRequest = components["schemas"]["CreateUploadRequest"];
type ApiErrorBody = components["schemas"]["Error"];

/** Bytes backed by a plain ArrayBuffer, which is what a Blob takes. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** A valid createUpload body; tests override what they are about. */
export function uploadRequest(overrides: Partial<CreateUploadRequest> = {}): CreateUploadRequest {
  return { filename: "data.jsonl", purpose: "batch", bytes: 10, mime_type: "application/jsonl", ...overrides };
}

/** Plain fetch calls against a base URL: the server's `/v1` URL or Prism's bare one. */
export function api(baseUrl: string, apiKey = TEST_API_KEY) {
  const auth = { authorization: `Bearer ${apiKey}` };
  const postJson = (path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const postForm = (uploadId: string, form: FormData) =>
    fetch(`${baseUrl}/uploads/${uploadId}/parts`, { method: "POST", headers: auth, body: form });

  return {
    postJson,
    postForm,
    create: (body: unknown = uploadRequest()) => postJson("/uploads", body),
    /** Sends `data` the way a client should: as a file field. */
    addPart: (uploadId: string, data: Bytes | string) => {
      const form = new FormData();
      form.append("data", new Blob([data]), "blob");
      return postForm(uploadId, form);
    },
    complete: (uploadId: string, body: unknown) => postJson(`/uploads/${uploadId}/complete`, body),
    cancel: (uploadId: string) => fetch(`${baseUrl}/uploads/${uploadId}/cancel`, { method: "POST", headers: auth }),
    /** Creates an upload and returns it, failing the test on anything but 200. */
    async createOk(overrides: Partial<CreateUploadRequest> = {}): Promise<Upload> {
      return ok<Upload>(await postJson("/uploads", uploadRequest(overrides)));
    },
    /** Adds a part and returns its id, failing the test on anything but 200. */
    async addPartOk(uploadId: string, data: Bytes | string): Promise<string> {
      return (await ok<UploadPart>(await this.addPart(uploadId, data))).id;
    },
  };
}

/** The JSON body of a 200 response; anything else fails with the body in the message. */
export async function ok<T>(res: Response): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  return JSON.parse(text) as T;
}

/**
 * Asserts an error response: its status, OpenAI's `{error: {message, type, param, code}}`
 * shape, an x-request-id, and optionally the param and a message pattern. Returns the error.
 */
export async function expectError(
  res: Response,
  status: number,
  expected: { param?: string | null; message?: RegExp; type?: string } = {},
): Promise<ApiErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  const body = JSON.parse(text) as { error: ApiErrorBody };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.type).toBe(expected.type ?? "invalid_request_error");
  if (expected.param !== undefined) expect(body.error.param).toBe(expected.param);
  if (expected.message) expect(body.error.message).toMatch(expected.message);
  return body.error;
}

/** Deterministic pseudo-random bytes, so a failing byte comparison is reproducible. */
export function bytesOf(length: number, seed = 1): Bytes {
  const out = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

/** A part sent by hand over node:http, so a test controls when its bytes arrive. */
export interface PartInFlight {
  /** Sends more of the part's bytes. */
  write(data: string): void;
  /** Ends the part and the body; resolves with the answer. */
  finish(): Promise<{ status: number | undefined; body: string }>;
}

/** Starts an addUploadPart whose multipart body is written as the test says, beginning with `first` bytes of the part. */
export function partInFlight(baseUrl: string, uploadId: string, first: string, apiKey = TEST_API_KEY): PartInFlight {
  const url = new URL(baseUrl);
  const req = request({
    host: url.hostname,
    port: url.port,
    method: "POST",
    path: `${url.pathname}/uploads/${uploadId}/parts`,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "multipart/form-data; boundary=xyz" },
  });
  const answer = new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
  });
  req.write(`--xyz\r\nContent-Disposition: form-data; name="data"; filename="a"\r\n\r\n${first}`);
  return {
    write: (data) => req.write(data),
    finish: () => {
      req.end("\r\n--xyz--\r\n");
      return answer;
    },
  };
}
