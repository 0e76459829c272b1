import { createHash } from "node:crypto";
import { access, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AzureOpenAI, toFile } from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AZURE_API_VERSIONS } from "../../src/server/server.js";
import { type LocalServer, type LocalServerOptions, startLocalServer } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";
import { tempDir } from "../support/temp.js";
import { type Bytes, bytesOf, expectError, ok, uploadRequest } from "./helpers.js";

// Azure OpenAI's flavour of the Uploads API, driven with plain fetch: the dated API
// (`/openai/uploads?api-version=V`) and the v1 API (`/openai/v1/uploads`), each with its auth.

const root = await tempDir("azure-test-");
const freshDir = (name: string) => mkdtemp(join(root, `${name}-`));

const VERSION = "2024-10-21";
const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("hex");

/** How a request authenticates: Azure's `api-key` header, or a Bearer (Entra ID) token. */
type Auth = { apiKey: string } | { bearer: string } | undefined;
const authHeaders = (auth: Auth): Record<string, string> =>
  auth === undefined ? {} : "apiKey" in auth ? { "api-key": auth.apiKey } : { authorization: `Bearer ${auth.bearer}` };

/**
 * Plain fetch calls on one of Azure's APIs: `dated` puts `?api-version=` (the given one, or
 * none with `null`) after `/openai/...`; `v1` calls `/openai/v1/...`.
 */
function azureApi(endpoint: string, api: { dated: string | null } | "v1", auth: Auth) {
  const url = (path: string) =>
    api === "v1"
      ? `${endpoint}/openai/v1${path}`
      : `${endpoint}/openai${path}${api.dated === null ? "" : `?api-version=${encodeURIComponent(api.dated)}`}`;
  const postJson = (path: string, body: unknown) =>
    fetch(url(path), {
      method: "POST",
      headers: { ...authHeaders(auth), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  return {
    create: (bytes: number) => postJson("/uploads", uploadRequest({ bytes })),
    addPart: (uploadId: string, data: Bytes) => {
      const form = new FormData();
      form.append("data", new Blob([data]), "blob");
      return fetch(url(`/uploads/${uploadId}/parts`), { method: "POST", headers: authHeaders(auth), body: form });
    },
    complete: (uploadId: string, body: unknown) => postJson(`/uploads/${uploadId}/complete`, body),
    cancel: (uploadId: string) =>
      fetch(url(`/uploads/${uploadId}/cancel`), { method: "POST", headers: authHeaders(auth) }),
  };
}

type Api = ReturnType<typeof azureApi>;
interface AzurePart {
  id: string;
  object: string;
  upload_id: string;
  azure_block_id: string;
}
interface UploadBody {
  id: string;
  status: string;
  bytes: number;
  file: { id: string; bytes: number } | null;
}

/** Creates an upload of `whole`, adds it in `pieces` parts, completes it with its MD5; resolves with the completed upload and the parts. */
async function uploadWhole(api: Api, whole: Bytes, pieces: number) {
  const upload = await ok<UploadBody>(await api.create(whole.length));
  expect(upload.id).toMatch(/^upload_[0-9a-f]{24}$/);
  const size = Math.ceil(whole.length / pieces);
  const parts: AzurePart[] = [];
  for (let at = 0; at < whole.length; at += size) {
    parts.push(await ok<AzurePart>(await api.addPart(upload.id, whole.subarray(at, at + size))));
  }
  const completed = await ok<UploadBody>(
    await api.complete(upload.id, { part_ids: parts.map((part) => part.id), md5: md5(whole) }),
  );
  return { upload, parts, completed };
}

const fileBytes = (server: LocalServer, fileId: string | undefined) =>
  readFile(server.fileContentPath(fileId ?? "missing") ?? "missing");

describe("the local server in Azure OpenAI mode", () => {
  let keyed: LocalServer;
  let open: LocalServer;
  beforeAll(async () => {
    keyed = await startLocalServer({ azure: true, apiKey: TEST_API_KEY });
    open = await startLocalServer({ azure: true });
  });
  afterAll(() => Promise.all([keyed?.close(), open?.close()]));

  it("is reached at its endpoint: a URL without a path", () => {
    expect(keyed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("takes create, parts and complete on the dated API with an api-key header, byte-exact", async () => {
    const whole = bytesOf(300_000, 3);
    const api = azureApi(keyed.url, { dated: VERSION }, { apiKey: TEST_API_KEY });
    const { upload, parts, completed } = await uploadWhole(api, whole, 3);
    expect(completed).toMatchObject({ id: upload.id, status: "completed", bytes: whole.length });
    expect(Buffer.from(await fileBytes(keyed, completed.file?.id)).equals(Buffer.from(whole))).toBe(true);
    expect(parts.map((part) => part.upload_id)).toEqual([upload.id, upload.id, upload.id]);
  });

  it("takes them on the v1 API with a Bearer token, without an api-version (and ignores one)", async () => {
    const whole = bytesOf(70_000, 4);
    const api = azureApi(keyed.url, "v1", { bearer: TEST_API_KEY });
    const { completed } = await uploadWhole(api, whole, 2);
    expect(completed.status).toBe("completed");
    expect(Buffer.from(await fileBytes(keyed, completed.file?.id)).equals(Buffer.from(whole))).toBe(true);

    const withVersion = await fetch(`${keyed.url}/openai/v1/uploads?api-version=1999-01-01`, {
      method: "POST",
      headers: { "api-key": TEST_API_KEY, "content-type": "application/json" },
      body: JSON.stringify(uploadRequest()),
    });
    expect((await ok<UploadBody>(withVersion)).status).toBe("pending");
  });

  it("answers a part as Azure does: an uplprt- id and an azure_block_id, distinct per part", async () => {
    const api = azureApi(open.url, { dated: VERSION }, { apiKey: "any-key" });
    const upload = await ok<UploadBody>(await api.create(8));
    const first = await ok<AzurePart>(await api.addPart(upload.id, bytesOf(4, 1)));
    const second = await ok<AzurePart>(await api.addPart(upload.id, bytesOf(4, 2)));
    for (const part of [first, second]) {
      expect(part).toMatchObject({ object: "upload.part", upload_id: upload.id });
      expect(part.id).toMatch(/^uplprt-[0-9a-f]{24}$/);
      expect(part.azure_block_id).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    }
    expect(second.azure_block_id).not.toBe(first.azure_block_id);
    expect(open.getUpload(upload.id)?.parts.map((part) => part.id)).toEqual([first.id, second.id]);
  });

  it("refuses a dated path without an api-version, or with an unknown one: 404 naming the versions it takes", async () => {
    const counted = keyed.stats.byOperation.createUpload;
    const uploads = keyed.listUploads().length;
    for (const version of [null, "", "2023-01-01"]) {
      const res = await azureApi(keyed.url, { dated: version }, { apiKey: TEST_API_KEY }).create(10);
      const error = await expectError(res, 404, { param: "api-version" });
      for (const known of AZURE_API_VERSIONS) expect(error.message).toContain(known);
      expect(error.message).toMatch(version ? /api-version '2023-01-01' is not one/ : /needs an api-version/);
    }
    // Refused before the operation: nothing created, nothing counted.
    expect(keyed.stats.byOperation.createUpload).toBe(counted);
    expect(keyed.listUploads()).toHaveLength(uploads);
  });

  it("does not serve OpenAI's paths: /v1/uploads and /uploads are 404s naming the Azure paths", async () => {
    for (const path of ["/v1/uploads", "/uploads", "/v1/uploads/upload_abc/parts"]) {
      const res = await fetch(`${keyed.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify(uploadRequest()),
      });
      const error = await expectError(res, 404, { message: /Invalid URL/ });
      expect(error.message).toContain("/openai/uploads?api-version=");
      expect(error.message).toContain("/openai/v1");
    }
  });

  it("refuses a request with neither an api-key nor a Bearer token: 401 naming both ways", async () => {
    for (const server of [keyed, open]) {
      const refused: Record<string, string>[] = [{}, { "api-key": "" }, { authorization: "Basic dXNlcjpwYXNz" }];
      for (const headers of refused) {
        const res = await fetch(`${server.url}/openai/v1/uploads`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(uploadRequest()),
        });
        const error = await expectError(res, 401);
        expect(error.message).toMatch(/api-key header/);
        expect(error.message).toMatch(/Bearer/);
      }
    }
  });

  it("with an apiKey, refuses any other key or token, 401 without repeating it", async () => {
    const wrong = "sk-wrong-key-do-not-echo-42";
    for (const auth of [{ apiKey: wrong }, { bearer: wrong }]) {
      for (const api of [azureApi(keyed.url, { dated: VERSION }, auth), azureApi(keyed.url, "v1", auth)]) {
        const res = await api.create(10);
        const text = await res.clone().text();
        const error = await expectError(res, 401);
        expect(error.code).toBe("invalid_api_key");
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(TEST_API_KEY);
      }
    }
  });

  it("answers a browser's preflight, allowing the api-key header it asks for", async () => {
    const res = await fetch(`${keyed.url}/openai/uploads?api-version=${VERSION}`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "api-key, content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(res.headers.get("access-control-allow-headers")).toBe("api-key, content-type");
    const created = await fetch(`${keyed.url}/openai/uploads?api-version=${VERSION}`, {
      method: "POST",
      headers: { origin: "http://localhost:5173", "api-key": TEST_API_KEY, "content-type": "application/json" },
      body: JSON.stringify(uploadRequest()),
    });
    expect(created.status).toBe(200);
    expect(created.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });

  it("serves the official SDK's AzureOpenAI client, which sends what Azure's clients send", async () => {
    const azure = new AzureOpenAI({ endpoint: keyed.url, apiKey: TEST_API_KEY, apiVersion: VERSION, maxRetries: 0 });
    const whole = bytesOf(1000, 9);
    const upload = await azure.uploads.create({
      filename: "a.jsonl",
      purpose: "batch",
      bytes: whole.length,
      mime_type: "application/jsonl",
    });
    const part = await azure.uploads.parts.create(upload.id, { data: await toFile(whole, "a.jsonl") });
    expect(part.id).toMatch(/^uplprt-/);
    const completed = await azure.uploads.complete(upload.id, { part_ids: [part.id], md5: md5(whole) });
    expect(completed.status).toBe("completed");
    expect(Buffer.from(await fileBytes(keyed, completed.file?.id)).equals(Buffer.from(whole))).toBe(true);
  });
});

describe("the api-version values", () => {
  const servers: LocalServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const start = async (options: LocalServerOptions) => {
    const server = await startLocalServer(options);
    servers.push(server);
    return server;
  };

  it("default to a short list, 2024-10-21 first", () => {
    expect(AZURE_API_VERSIONS[0]).toBe("2024-10-21");
    expect(AZURE_API_VERSIONS).toContain("2025-04-01-preview");
  });

  it("are the apiVersions given, and only those", async () => {
    const server = await start({ azure: { apiVersions: ["2099-01-01-preview"] } });
    const auth = { apiKey: "any" };
    expect((await azureApi(server.url, { dated: "2099-01-01-preview" }, auth).create(10)).status).toBe(200);
    const error = await expectError(await azureApi(server.url, { dated: VERSION }, auth).create(10), 404);
    expect(error.message).toContain("api-version=V with V 2099-01-01-preview, or");
  });

  it("are checked up front: none, or a blank one, is a RangeError", async () => {
    await expect(startLocalServer({ azure: { apiVersions: [] } })).rejects.toThrow(RangeError);
    await expect(startLocalServer({ azure: { apiVersions: ["2024-10-21", " "] } })).rejects.toThrow(/apiVersions\[1\]/);
  });

  it("do not matter without Azure mode, where the Azure paths are 404s and the OpenAI ones work", async () => {
    const server = await start({ apiKey: TEST_API_KEY });
    expect(server.url).toMatch(/\/v1$/);
    const endpoint = server.url.replace(/\/v1$/, "");
    for (const api of [
      azureApi(endpoint, { dated: VERSION }, { bearer: TEST_API_KEY }),
      azureApi(endpoint, "v1", { bearer: TEST_API_KEY }),
    ]) {
      await expectError(await api.create(10), 404, { message: /Invalid URL/ });
    }
    const part = await (async () => {
      const upload = await ok<UploadBody>(
        await fetch(`${server.url}/uploads`, {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" },
          body: JSON.stringify(uploadRequest({ bytes: 4 })),
        }),
      );
      const form = new FormData();
      form.append("data", new Blob([bytesOf(4)]), "blob");
      return ok<Record<string, unknown>>(
        await fetch(`${server.url}/uploads/${upload.id}/parts`, {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_API_KEY}` },
          body: form,
        }),
      );
    })();
    expect(part.id).toMatch(/^part_[0-9a-f]{24}$/);
    expect(part).not.toHaveProperty("azure_block_id");
  });
});

describe("a server in Azure mode started again on its data dir", () => {
  it("carries on in Azure mode: the parts keep their uplprt- ids, the upload completes byte-exact", async () => {
    const dataDir = await freshDir("azure-restart");
    const whole = bytesOf(90_000, 7);
    const halves = [whole.subarray(0, 45_000), whole.subarray(45_000)];
    const first = await startLocalServer({ azure: true, apiKey: TEST_API_KEY, dataDir });
    const port = Number(new URL(first.url).port);
    const api1 = azureApi(first.url, { dated: VERSION }, { apiKey: TEST_API_KEY });
    const upload = await ok<UploadBody>(await api1.create(whole.length));
    const one = await ok<AzurePart>(await api1.addPart(upload.id, halves[0] as Bytes));
    await first.close();
    // A part file left behind by a crash, named as Azure mode names them: the restart sweeps it.
    const stray = join(dataDir, "parts", `uplprt-${"ab".repeat(12)}`);
    await writeFile(stray, "stray");

    const second = await startLocalServer({ azure: true, apiKey: TEST_API_KEY, dataDir, port });
    try {
      expect(second.url).toBe(first.url);
      expect(second.getUpload(upload.id)?.parts).toEqual([{ id: one.id, bytes: 45_000 }]);
      await expect(access(stray)).rejects.toThrow();
      const api2 = azureApi(second.url, "v1", { bearer: TEST_API_KEY });
      const two = await ok<AzurePart>(await api2.addPart(upload.id, halves[1] as Bytes));
      expect(two.id).toMatch(/^uplprt-[0-9a-f]{24}$/);
      expect(two.azure_block_id).not.toBe(one.azure_block_id);
      const completed = await ok<UploadBody>(
        await api2.complete(upload.id, { part_ids: [one.id, two.id], md5: md5(whole) }),
      );
      expect(completed.status).toBe("completed");
      expect(Buffer.from(await fileBytes(second, completed.file?.id)).equals(Buffer.from(whole))).toBe(true);
      // The OpenAI paths stay 404s after the restart too.
      await expectError(
        await fetch(`${second.url}/v1/uploads/${upload.id}/cancel`, {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_API_KEY}` },
        }),
        404,
      );
    } finally {
      await second.close();
    }
  });
});
