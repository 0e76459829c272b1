/**
 * `npm run docs`: builds the API reference from the TSDoc of the public entries (TypeDoc,
 * into dist/docs/api) and an HTML reference of the spec (Redocly build-docs, into
 * dist/docs/spec.html). Fails on any TypeDoc warning, an undocumented public symbol or a
 * broken `{@link}` included, so that `npm test`, which runs this, keeps the docs whole.
 */
import { rm } from "node:fs/promises";
import { Application } from "typedoc";
import { redocly } from "./lib/redocly.js";

const OUT = "dist/docs";

async function apiReference(): Promise<void> {
  const app = await Application.bootstrapWithPlugins({
    name: "openai-uploads",
    entryPoints: ["src/index.ts", "src/testing.ts"],
    tsconfig: "tsconfig.build.json",
    out: `${OUT}/api`,
    readme: "none",
    disableGit: true,
    disableSources: true,
    validation: { notDocumented: true, notExported: false, invalidLink: true },
    treatWarningsAsErrors: true,
  });
  // openapi-typescript writes the spec's descriptions and enums as @description and @enum tags.
  app.options.setValue("blockTags", [...app.options.getValue("blockTags"), "@description", "@enum"]);
  const project = await app.convert();
  if (!project) throw new Error("TypeDoc could not convert the entries; see its messages above.");
  app.validate(project);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) {
    throw new Error("TypeDoc reported problems (above): document every public symbol and fix the links.");
  }
  await app.generateDocs(project, `${OUT}/api`);
}

async function specReference(): Promise<void> {
  await redocly([
    "build-docs",
    "openapi/uploads.yaml",
    "--output",
    `${OUT}/spec.html`,
    "--title",
    "OpenAI Uploads API",
  ]);
}

try {
  await rm(OUT, { recursive: true, force: true });
  await Promise.all([apiReference(), specReference()]);
  console.log(`wrote ${OUT}/api/index.html and ${OUT}/spec.html`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
