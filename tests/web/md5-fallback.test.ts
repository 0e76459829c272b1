/**
 * The MD5 a page gets when it cannot have the fast one: its Content-Security-Policy refuses
 * WebAssembly, or the chunk holding the MD5 cannot be fetched.
 */
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { webMd5 } from "../../src/upload/web/md5.js";
import { clientFor, server } from "../upload/support.js";

afterEach(() => {
  vi.restoreAllMocks();
  vi.doUnmock("../../src/upload/web/md5-hashers.js");
  vi.resetModules();
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

describe("a page that cannot fetch the MD5's chunk", () => {
  it("fails the upload with APIConnectionError before any request, saying what to do", async () => {
    vi.doMock("../../src/upload/web/md5-hashers.js", () => {
      throw new TypeError("Failed to fetch dynamically imported module");
    });
    const { uploadFile } = await import("../../src/index.web.js");
    const local = await server();
    const sent: string[] = [];
    const client = clientFor(local.url, "fetch", {
      fetch: (request) => {
        sent.push(new URL(request.url).pathname);
        return fetch(request);
      },
    });
    const upload = uploadFile(client, { file: new File(["{}\n"], "a.jsonl"), purpose: "batch" });
    await expect(upload).rejects.toMatchObject({
      name: "APIConnectionError",
      message: expect.stringMatching(/MD5 code .* could not be loaded; .*reload the page, or pass md5: false/),
    });
    expect(sent).toEqual([]);
    // md5: false needs no chunk.
    await expect(
      uploadFile(client, { file: new File(["{}\n"], "a.jsonl"), purpose: "batch", md5: false }),
    ).resolves.toMatchObject({
      status: "completed",
    });
  });
});
