import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A fresh directory under the OS temp dir, named `prefix` plus random characters, removed with
 * everything in it once the enclosing file or describe is done. It registers vitest's afterAll,
 * so call it where afterAll may be called: at module level (top-level await) or in a describe body.
 */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
