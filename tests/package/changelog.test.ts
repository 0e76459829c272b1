import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { parse } from "yaml";

it("CHANGELOG.md has a section for this version that names the spec's info.version", async () => {
  const [changelog, manifest, spec] = await Promise.all(
    ["CHANGELOG.md", "package.json", "openapi/uploads.yaml"].map((file) => readFile(file, "utf8")),
  );
  const { version } = JSON.parse(manifest ?? "") as { version: string };
  const specVersion = (parse(spec ?? "") as { info: { version: string } }).info.version;
  const sections = (changelog ?? "").split(/^## /m).slice(1);
  const section = sections.find((text) => text.startsWith(`${version} `) || text.startsWith(`${version}\n`));
  expect(section, `CHANGELOG.md needs a "## ${version}" section`).toBeDefined();
  expect(section).toContain(`### Spec (\`info.version\` ${specVersion})`);
});
