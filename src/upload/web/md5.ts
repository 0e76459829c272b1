import { APIConnectionError } from "../../errors/connection.js";
import type { Md5 } from "../platform.js";

/**
 * MD5 without Node. Web Crypto offers SHA only, so this is hash-wasm's WebAssembly MD5, about
 * 6x faster than JavaScript in Chromium (483 against 81 MB/s here), which is what keeps md5 on
 * from halving a browser upload. A page whose Content-Security-Policy refuses WebAssembly (no
 * `'wasm-unsafe-eval'`) gets @noble/hashes' JavaScript MD5 instead: the same digest, slower.
 * Both are loaded on first use (md5-hashers.ts), so the code every page loads stays small.
 * Rejects with `APIConnectionError` when that chunk cannot be fetched (the page went offline,
 * or a new deploy removed it): `uploadFile` asks for the MD5 before sending anything.
 */
export async function webMd5(): Promise<Md5> {
  const hashers = await import("./md5-hashers.js").catch((cause: unknown) => {
    throw new APIConnectionError(
      "The MD5 code (a chunk of openai-uploads) could not be loaded; check the network and reload the page, or pass md5: false.",
      { cause },
    );
  });
  // Any refusal, not only a CSP's: some runtimes have no WebAssembly, or may not compile it from bytes.
  return hashers.webAssemblyMd5().catch(() => hashers.javascriptMd5());
}
