/**
 * A page whose Content-Security-Policy refuses WebAssembly still gets an MD5. Its own file: the
 * WebAssembly module is compiled once per process, so the refusal must come before any other
 * test compiles it.
 */
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { webMd5 } from "../../src/upload/web/md5.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the MD5 in a page that refuses WebAssembly", () => {
  it("falls back to JavaScript and gives the same digest", async () => {
    // What Chromium throws under `script-src 'self'` without 'wasm-unsafe-eval'.
    const refused = () =>
      Promise.reject(
        new WebAssembly.CompileError("WebAssembly.compile(): Refused to compile or instantiate WebAssembly module"),
      );
    const compile = vi.spyOn(WebAssembly, "compile").mockImplementation(refused);
    const instantiate = vi.spyOn(WebAssembly, "instantiate").mockImplementation(refused);
    const bytes = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 17) & 0xff);
    const hash = await webMd5();
    hash.update(bytes.subarray(0, 1000));
    hash.update(bytes.subarray(1000));
    expect(hash.hex()).toBe(createHash("md5").update(bytes).digest("hex"));
    expect(compile.mock.calls.length + instantiate.mock.calls.length).toBeGreaterThan(0);
  });
});
