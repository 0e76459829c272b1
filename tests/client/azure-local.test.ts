import { describe, expect, it, vi } from "vitest";
import { createAzureUploadsClient, type UploadsClient, uploadFile } from "../../src/index.js";
import { AZURE_API_VERSIONS } from "../../src/testing.js";
import { TEST_API_KEY } from "../support/keys.js";
import { randomFile, server, storedSha256, transports } from "../upload/support.js";

// The Azure client against the local server's Azure mode: its paths, api-version and auth.

const MiB = 1024 * 1024;
const [DATED] = AZURE_API_VERSIONS;

type Case = [string, (endpoint: string, fetch?: (request: Request) => Promise<Response>) => UploadsClient];
const cases: Case[] = [
  [
    "the dated API with api-key",
    (endpoint, fetch) => createAzureUploadsClient({ endpoint, apiVersion: DATED, apiKey: TEST_API_KEY, fetch }),
  ],
  ["the v1 API with api-key", (endpoint, fetch) => createAzureUploadsClient({ endpoint, apiKey: TEST_API_KEY, fetch })],
  [
    "the dated API with a token provider",
    (endpoint, fetch) =>
      createAzureUploadsClient({ endpoint, apiVersion: DATED, azureADTokenProvider: async () => TEST_API_KEY, fetch }),
  ],
];

describe.each(cases)("Azure OpenAI over %s", (_name, clientFor) => {
  it("runs the four operations, keeping Azure's own fields and ids", async () => {
    const local = await server({ azure: true });
    const client = clientFor(local.url);
    const upload = await client.createUpload({
      purpose: "batch",
      filename: "a.jsonl",
      bytes: 5,
      mime_type: "text/jsonl",
    });
    const part = await client.addUploadPart(upload.id, { data: new Blob(["hello"]) });
    expect(part.id).toMatch(/^uplprt-/);
    expect(part).toHaveProperty("azure_block_id");
    const done = await client.completeUpload(upload.id, { part_ids: [part.id] });
    expect(done).toMatchObject({ status: "completed", bytes: 5 });
    const other = await client.createUpload({
      purpose: "batch",
      filename: "b.jsonl",
      bytes: 5,
      mime_type: "text/jsonl",
    });
    expect(await client.cancelUpload(other.id)).toMatchObject({ status: "cancelled" });
  });

  it.each(transports)("uploads a file byte-exact with uploadFile (%s)", async (transport) => {
    const local = await server({ azure: true });
    const client = clientFor(local.url, transport === "fetch" ? (request) => fetch(request) : undefined);
    const file = await randomFile(2 * MiB + 7);
    const upload = await uploadFile(client, { file: file.path, purpose: "batch", partSize: MiB });
    expect(upload).toMatchObject({ status: "completed", bytes: file.bytes.length });
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
  });
});

describe("an Azure token provider", () => {
  it("is asked once per request uploadFile sends, parts streamed over node:http included", async () => {
    const local = await server({ azure: true });
    const azureADTokenProvider = vi.fn(async () => TEST_API_KEY);
    const client = createAzureUploadsClient({ endpoint: local.url, azureADTokenProvider });
    const file = await randomFile(3 * MiB);
    const before = local.stats.requests;
    await uploadFile(client, { file: file.path, purpose: "batch", partSize: MiB });
    // create, three parts, complete
    expect(local.stats.requests - before).toBe(5);
    expect(azureADTokenProvider).toHaveBeenCalledTimes(5);
  });

  it("whose token the server refuses gives the server's 401, without the token", async () => {
    const local = await server({ azure: true });
    const client = createAzureUploadsClient({ endpoint: local.url, azureADTokenProvider: () => "entra-wrong-token" });
    const error = await client.cancelUpload("upload_1").catch((thrown: Error) => thrown);
    expect(error).toMatchObject({ status: 401 });
    expect(String((error as Error).message)).not.toContain("entra-wrong-token");
  });
});
