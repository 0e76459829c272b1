/**
 * The two MD5s a page can have, in a module of their own so that {@link webMd5} imports them
 * on first use: bundlers put them (about 7 KB) in a chunk that only uploads with md5 on load.
 */
import { md5 } from "@noble/hashes/legacy";
import { createMD5 } from "hash-wasm";
import type { Md5 } from "../platform.js";

/** hash-wasm's WebAssembly MD5; rejects where the page may not compile WebAssembly (its CSP). */
export async function webAssemblyMd5(): Promise<Md5> {
  // Compiles the module (once per page): this is what a strict CSP refuses.
  const hash = await createMD5();
  return {
    update: (bytes) => {
      hash.update(bytes);
    },
    hex: () => hash.digest("hex"),
  };
}

/** @noble/hashes' MD5: JavaScript, so it runs wherever the page does. */
export function javascriptMd5(): Md5 {
  const hash = md5.create();
  return {
    update: (bytes) => hash.update(bytes),
    hex: () => Array.from(hash.digest(), (byte) => byte.toString(16).padStart(2, "0")).join(""),
  };
}
