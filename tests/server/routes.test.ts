import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { operationIds } from "../../generated/operations.js";
import { route } from "../../src/server/routes.js";

// The router is built from the generated operation table; this reads the spec itself, so a
// path template the router's patterns get wrong (a parameter, the optional /v1) fails here.
describe("the local server's routes", () => {
  it("route every operation of the spec, by its method and path", async () => {
    const spec = parse(await readFile("openapi/uploads.yaml", "utf8")) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operationId: operation.operationId })),
    );
    expect(operations.map((op) => op.operationId).sort()).toEqual([...operationIds].sort());
    for (const { path, method, operationId } of operations) {
      const concrete = `/v1${path.replace("{upload_id}", "upload_abc")}`;
      expect(route(method.toUpperCase(), concrete), `${method} ${path}`).toMatchObject({ operationId });
    }
  });
});
