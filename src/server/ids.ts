import { randomBytes } from "node:crypto";

/**
 * The prefixes OpenAI gives its identifiers; the file prefix really does use a dash. `uplprt-`
 * is how Azure OpenAI names parts, which the server's Azure mode mimics.
 */
export type IdPrefix = "upload_" | "part_" | "uplprt-" | "file-" | "req_";

/** The prefixes a part id may have: OpenAI's, and Azure OpenAI's. */
export const PART_PREFIXES = ["part_", "uplprt-"] as const satisfies readonly IdPrefix[];

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

/**
 * Whether `name` is a part id of either mode: a data directory keeps the ids its parts were
 * given, so a server started on it in the other mode still knows them (and sweeps their files).
 */
export function isPartId(name: string): boolean {
  return PART_PREFIXES.some((prefix) => isId(prefix, name));
}
