import { createHash } from "node:crypto";

/** The SHA-256 of some bytes, as hex: how the tests compare a stored file with what was sent. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
