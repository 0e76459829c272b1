import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The README's table of operations is written by hand; this keeps it the spec's.
describe("the README", () => {
  it("lists exactly the spec's operations, with their method and path", async () => {
    const [readme, specText] = await Promise.all([
      readFile("README.md", "utf8"),
      readFile("openapi/uploads.yaml", "utf8"),
    ]);
    const spec = parse(specText) as { paths: Record<string, Record<string, { operationId: string }>> };
    const fromSpec = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => `${op.operationId} ${method.toUpperCase()} ${path}`),
    );
    const rows = [...readme.matchAll(/^\| `(\w+)` \| `(\w+) ([^`\s]+)`/gm)].map(
      ([, id, method, path]) => `${id} ${method} ${path}`,
    );
    expect(rows.sort()).toEqual(fromSpec.sort());
  });
});
