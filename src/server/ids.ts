import { randomBytes } from "node:crypto";

/** The prefixes OpenAI gives its identifiers; the file prefix really does use a dash. */
export type IdPrefix = "upload_" | "part_" | "file-" | "req_";

/**
 * A fresh identifier: the prefix plus random hex. Request ids get 32 hex digits like the
 * spec's example; object ids 24, plenty to never collide within one server's life.
 */
export function newId(prefix: IdPrefix): string {
  return prefix + randomBytes(prefix === "req_" ? 16 : 12).toString("hex");
}

/**
 * Whether `name` is an object id {@link newId} could have made with `prefix`: the sweep
 * removes only files so named, never anything else someone put in the data directory.
 */
export function isId(prefix: Exclude<IdPrefix, "req_">, name: string): boolean {
  return name.length === prefix.length + 24 && name.startsWith(prefix) && /^[0-9a-f]+$/.test(name.slice(prefix.length));
}
