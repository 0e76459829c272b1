import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPrism, startPrism } from "../../scripts/lib/prism.js";
import { UnprocessableEntityError } from "../../src/index.js";
import { CREATE, expectAllConform, PART_BYTES, recordingClient } from "./support.js";

/**
 * The official definition of the four operations: the structure of openai/openai-openapi's
 * /uploads, recorded in the repository by `npm run spec:upstream -- --write` (see CONTRIBUTING).
 */
const OFFICIAL = "openapi/upstream/uploads.yaml";

describe("our client against a mock of the official spec", () => {
  let prism: RunningPrism | undefined;
  beforeAll(async () => {
    prism = await startPrism(["mock", OFFICIAL, "--errors"]);
  });
  afterAll(() => prism?.stop());

  it("creates, adds a part, completes and cancels: every request accepted, every answer parsed", async () => {
    const { client, exchanges } = recordingClient({ baseUrl: (prism as RunningPrism).url });
    // The official spec has no response examples: Prism answers with values made up from the
    // schemas, so only the shapes can be checked, not ids or status transitions.
    const upload = await client.createUpload({ ...CREATE, expires_after: { anchor: "created_at", seconds: 3600 } });
    expect(upload).toMatchObject({ object: "upload", id: expect.any(String), status: expect.any(String) });
    const part = await client.addUploadPart(upload.id, { data: new Blob([PART_BYTES]) });
    expect(part).toMatchObject({ object: "upload.part", id: expect.any(String) });
    const completed = await client.completeUpload(upload.id, {
      part_ids: [part.id],
      md5: "0123456789abcdef0123456789abcdef",
    });
    expect(completed.object).toBe("upload");
    expect((await client.cancelUpload(upload.id)).object).toBe("upload");
    await expectAllConform(exchanges, 4);
  });

  // Pins the reason for the one request-side CORRECTION in openapi/uploads.yaml: the official
  // spec lists four purposes, the SDKs (and the API) six. If the official spec catches up,
  // this fails and the correction can go.
  it("still refuses the purposes user_data and evals, which our spec accepts", async () => {
    const { client, exchanges } = recordingClient({ baseUrl: (prism as RunningPrism).url });
    for (const purpose of ["user_data", "evals"] as const) {
      await expect(client.createUpload({ ...CREATE, purpose })).rejects.toBeInstanceOf(UnprocessableEntityError);
    }
    // The official operations declare no error response, so Prism says why in a problem+json body.
    const reasons = await Promise.all(
      exchanges.map(async ({ response }) => ((await response.json()) as ProblemJson).validation.map((v) => v.message)),
    );
    const refusal =
      "Request body property purpose must be equal to one of the allowed values: assistants, batch, fine-tune, vision";
    expect(reasons).toEqual([[refusal], [refusal]]);
  });
});

/** Prism's own 422 body when the spec declares no error response to mock. */
interface ProblemJson {
  validation: { location: string[]; message: string }[];
}
