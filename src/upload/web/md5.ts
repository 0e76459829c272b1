import { md5 } from "@noble/hashes/legacy";
import type { Md5 } from "../platform.js";

/**
 * MD5 without Node: runtimes that only have Web Crypto get no MD5 from it (it offers SHA
 * only), so this one is JavaScript.
 */
export function webMd5(): Md5 {
  const hash = md5.create();
  return {
    update: (bytes) => hash.update(bytes),
    hex: () => Array.from(hash.digest(), (byte) => byte.toString(16).padStart(2, "0")).join(""),
  };
}
