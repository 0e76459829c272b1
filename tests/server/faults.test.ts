import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type FaultOptions, type LocalServer, startLocalServer, type Upload } from "../../src/testing.js";
import { sha256 } from "../support/hashes.js";
import { api, bytesOf, expectError, ok, uploadRequest } from "./helpers.js";

async function withServer<T>(faults: FaultOptions, run: (server: LocalServer) => Promise<T>): Promise<T> {
  const server = await startLocalServer({ faults });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

/** The statuses of `count` createUpload requests sent one after another. */
const createStatuses = (faults: FaultOptions, count = 24) =>
  withServer(faults, async (server) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const res = await api(server.url).create();
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    return statuses;
  });

describe("fault injection", () => {
  it("injects the same errors for the same seed, and others for another seed", async () => {
    const faults = { seed: 42, errorRate: 0.5 };
    const [first, again, other] = await Promise.all([
      createStatuses(faults),
      createStatuses(faults),
      createStatuses({ ...faults, seed: 43 }),
    ]);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 503, 429]));
  });

  it("answers injected errors in OpenAI's shape, with retry-after-ms on 429 and 503", async () => {
    await withServer({ errorRate: 1, errorStatuses: [429, 503, 500], retryAfterMs: 25 }, async (server) => {
      const seen = new Map<number, Response>();
      while (seen.size < 3) {
        const res = await api(server.url).create();
        seen.set(res.status, res);
      }
      const limited = seen.get(429) as Response;
      expect(limited.headers.get("retry-after-ms")).toBe("25");
      const rateLimit = await expectError(limited, 429, { type: "requests", message: /try again in 25ms/ });
      expect(rateLimit.code).toBe("rate_limit_exceeded");
      expect((seen.get(503) as Response).headers.get("retry-after-ms")).toBe("25");
      await expectError(seen.get(503) as Response, 503, { type: "server_error", message: /overloaded/ });
      const failed = seen.get(500) as Response;
      expect(failed.headers.get("retry-after-ms")).toBeNull();
      await expectError(failed, 500, { type: "server_error", message: /injected/ });
      expect(server.stats.faults).toBe(server.stats.requests);
    });
  });

  it("faults only the listed operations", async () => {
    await withServer({ errorRate: 1, operations: ["completeUpload"] }, async (server) => {
      const client = api(server.url);
      const upload = await client.createOk({ bytes: 1 });
      const partId = await client.addPartOk(upload.id, "x");
      const res = await client.complete(upload.id, { part_ids: [partId] });
      expect([500, 503, 429]).toContain(res.status);
      await res.arrayBuffer();
      await ok(await client.cancel(upload.id));
    });
  });

  it("adds delayMs of latency", async () => {
    await withServer({ delayMs: 80 }, async (server) => {
      const started = performance.now();
      await ok(await api(server.url).create());
      expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    });
  });

  it("drops a part's connection before storing it", async () => {
    await withServer({ dropBeforeStoreRate: 1 }, async (server) => {
      const client = api(server.url);
      const upload = await client.createOk();
      await expect(client.addPart(upload.id, bytesOf(10))).rejects.toThrow(/fetch failed/);
      expect(server.getUpload(upload.id)?.parts).toEqual([]);
      expect(server.stats.faults).toBe(1);
    });
  });

  it("drops after storing: the orphan part does not break a complete that lists only the ids received", async () => {
    await withServer({ seed: 7, dropAfterStoreRate: 0.5 }, async (server) => {
      const client = api(server.url);
      const whole = bytesOf(4000, 3);
      const chunks = [0, 1000, 2000, 3000].map((start) => whole.subarray(start, start + 1000));
      const upload = await client.createOk({ bytes: whole.length });
      const partIds: string[] = [];
      let drops = 0;
      for (const chunk of chunks) {
        // A client that retries a part whose response never came.
        for (;;) {
          try {
            partIds.push(await client.addPartOk(upload.id, chunk));
            break;
          } catch (error) {
            expect(String((error as Error).message)).toMatch(/fetch failed/);
            drops += 1;
          }
        }
      }
      expect(drops).toBeGreaterThan(0);
      const stored = server.getUpload(upload.id)?.parts ?? [];
      expect(stored).toHaveLength(chunks.length + drops);
      expect(stored.reduce((sum, part) => sum + part.bytes, 0)).toBe(whole.length + drops * 1000);

      const completed = await ok<Upload>(await client.complete(upload.id, { part_ids: partIds }));
      const content = await readFile(server.fileContentPath(completed.file?.id ?? "") ?? "");
      expect(sha256(content)).toBe(sha256(whole));
      expect(server.stats.faults).toBe(drops);
    });
  });

  it("rejects fault options that cannot work", async () => {
    await expect(startLocalServer({ faults: { errorRate: 1.5 } })).rejects.toThrow(
      /errorRate must be a number from 0 to 1/,
    );
    await expect(startLocalServer({ faults: { errorStatuses: [200] } })).rejects.toThrow(/4xx\/5xx/);
    await expect(startLocalServer({ faults: { operations: ["listUploads" as never] } })).rejects.toThrow(
      /unknown operationId 'listUploads'/,
    );
  });

  it("leaves requests alone without faults", async () => {
    await withServer({}, async (server) => {
      await ok(await api(server.url).create(uploadRequest()));
      expect(server.stats.faults).toBe(0);
    });
  });
});
