import { existsSync } from "node:fs";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPrism, startPrism } from "../../scripts/lib/prism.js";
import { createUploadsClient } from "../../src/index.js";
import { API_KEY, baseUrl, isPrism } from "./support.js";

describe.runIf(isPrism)("the official openai SDK against our spec's mock", () => {
  // If our spec were stricter than the API in a way the official SDK trips over, this fails.
  const sdk = new OpenAI({ apiKey: API_KEY, baseURL: baseUrl, maxRetries: 0 });

  it("creates, adds a part, completes and cancels", async () => {
    const upload = await sdk.uploads.create({
      bytes: 1024,
      filename: "training_examples.jsonl",
      mime_type: "text/jsonl",
      purpose: "fine-tune",
    });
    expect(upload.object).toBe("upload");
    const part = await sdk.uploads.parts.create(upload.id, { data: new File(["{}\n"], "part.jsonl") });
    expect(part.object).toBe("upload.part");
    const completed = await sdk.uploads.complete(upload.id, { part_ids: [part.id], md5: "0".repeat(32) });
    expect(completed.object).toBe("upload");
    expect((await sdk.uploads.cancel(upload.id)).object).toBe("upload");
  });
});

const OFFICIAL = "../shared/reference/openai-uploads-official.yaml";

describe.skipIf(!existsSync(OFFICIAL))("our client against a mock of the official spec", () => {
  let prism: RunningPrism;
  beforeAll(async () => {
    prism = await startPrism(["mock", OFFICIAL, "--errors"]);
  });
  afterAll(() => prism?.stop());

  it("create, part, complete and cancel are accepted and answered", async () => {
    const client = createUploadsClient({ apiKey: API_KEY, baseUrl: prism.url, maxRetries: 0 });
    const upload = await client.createUpload({
      bytes: 1024,
      filename: "training_examples.jsonl",
      mime_type: "text/jsonl",
      purpose: "fine-tune",
    });
    expect(upload.object).toBe("upload");
    const part = await client.addUploadPart(upload.id, { data: new Blob(["{}\n"]) });
    expect(part.object).toBe("upload.part");
    expect((await client.completeUpload(upload.id, { part_ids: [part.id] })).object).toBe("upload");
    expect((await client.cancelUpload(upload.id)).object).toBe("upload");
  });
});
