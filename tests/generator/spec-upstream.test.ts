import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runScript } from "../support/run-script.js";
import { tempDir } from "../support/temp.js";

// `npm run spec:upstream`: what a maintainer sees when OpenAI's published contract changes.

const dir = await tempDir("spec-upstream-");
const RECORDED = "openapi/upstream/uploads.yaml";

type Doc = {
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>>;
  };
};

/** The recorded extract, changed by `edit`, written as an upstream file; the script's run against it. */
async function against(name: string, edit: (doc: Doc) => void) {
  const doc = parse(await readFile(RECORDED, "utf8")) as Doc;
  edit(doc);
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, stringify(doc));
  return runScript("scripts/spec-upstream.ts", ["--upstream", path]);
}

describe("spec:upstream", () => {
  it("passes on the repository: every difference from the recorded extract is a declared correction", async () => {
    const result = await runScript("scripts/spec-upstream.ts", []);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^correction still needed: \/components\/schemas\/Upload\/required\/object \(1 difference\(s\)\): /m,
    );
    expect(result.stdout).toMatch(/matches openapi\/upstream\/uploads\.yaml but for \d+ declared correction\(s\)$/m);
  });

  it.each([
    [
      "adds a field",
      (doc: Doc) => {
        const upload = doc.components.schemas.Upload as { properties: Record<string, unknown> };
        upload.properties.metadata = { type: "object" };
      },
      /^drift: \/components\/schemas\/Upload\/properties\/metadata: missing from the spec \(spec: nothing, upstream: \{"type":"object"\}\)$/m,
    ],
    [
      "drops one",
      (doc: Doc) => {
        const complete = doc.components.schemas.CompleteUploadRequest as { properties: Record<string, unknown> };
        delete complete.properties.md5;
      },
      /^drift: \/components\/schemas\/CompleteUploadRequest\/properties\/md5: added in the spec/m,
    ],
    [
      "adds an operation under /uploads",
      (doc: Doc) => {
        doc.paths["/uploads/{upload_id}/pause"] = doc.paths["/uploads/{upload_id}/cancel"] as Record<string, unknown>;
      },
      /^drift: \/paths\/~1uploads~1\{upload_id\}~1pause: missing from the spec/m,
    ],
    [
      "makes a field required",
      (doc: Doc) => {
        doc.components.schemas.CreateUploadRequest?.required?.push("expires_after");
      },
      /^drift: \/components\/schemas\/CreateUploadRequest\/required\/expires_after: missing from the spec/m,
    ],
  ])("fails, naming the JSON path, when upstream %s", async (name, edit, drift) => {
    const result = await against(name.replaceAll(/\W+/g, "-"), edit);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(drift);
    expect(result.stderr).toMatch(
      /undeclared difference\(s\) from .*: change openapi\/uploads\.yaml to match, or declare each/,
    );
  });

  it("says a correction can go once upstream has caught up: six purposes", async () => {
    const result = await against("six-purposes", (doc) => {
      const purpose = doc.components.schemas.CreateUploadRequest?.properties?.purpose as { enum: string[] };
      purpose.enum.push("user_data", "evals");
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^correction no longer needed: \/components\/schemas\/CreateUploadRequest\/properties\/purpose\/enum\/evals: upstream now matches/m,
    );
    expect(result.stdout).toMatch(/^correction no longer needed: .*purpose\/enum\/user_data/m);
  });

  it("cuts a whole openai-openapi spec to /uploads and what it reaches, ignoring the rest", async () => {
    const result = await against("whole-spec", (doc) => {
      doc.paths["/files"] = { get: { operationId: "listFiles", responses: { 200: { description: "" } } } };
      doc.components.schemas.Unrelated = { type: "object", properties: { a: { type: "string" } } };
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("refuses --write without the upstream commit it records", async () => {
    const refused = await runScript("scripts/spec-upstream.ts", ["--write", "--upstream", RECORDED]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      "spec:upstream: --write needs --upstream FILE and --commit SHA (the upstream commit FILE is from)\n",
    );
  });
});
