/** What an error shows where a secret was. */
export const REDACTED = "[redacted]";

/**
 * Values shorter than this are never taken out: no real key or token is, and taking out a
 * test key's few letters from every answer would garble it.
 */
export const SHORTEST_SECRET = 8;

/**
 * The headers whose value is taken for a secret: the credential's (`Authorization`, Azure's
 * `api-key`), a proxy's, and a gateway's own (`x-api-key`, `Ocp-Apim-Subscription-Key`,
 * `cf-aig-authorization`, `Helicone-Auth`), by what their names say.
 */
const SECRET_HEADER = /auth|key|token|secret|password|credential/i;

/**
 * How many distinct credentials a client remembers, the latest. A credential function may give
 * a new token for every request, and an answer quotes the one its request was sent with, which
 * may be as old as the requests in flight beside it: `uploadFile` sends at most 64 parts at once.
 */
const REMEMBERED = 256;

/**
 * The credentials a client has sent, kept to be taken out of what a server answers before
 * that becomes an error. A server or a proxy may quote the request's headers back in an error
 * body or a header (echo servers and debugging proxies do); the error's message, `body`,
 * `error` and `headers` would then hold the key for any log to print.
 */
export interface SecretRedactor {
  /**
   * Remembers the secrets among `headers`, those whose name says they hold one: the token
   * without its scheme (`Bearer`, `Basic`), else the value.
   */
  remember(headers: Readonly<Record<string, string | null | undefined>> | undefined): void;
  /**
   * A copy of `value` with every remembered secret taken out (see {@link withoutSecrets}): in
   * `Headers` (of any realm), or in every string of a value JSON can hold, however deep, keys
   * included. Anything else comes back as it is.
   */
  redact<T>(value: T): T;
}

/** A {@link SecretRedactor} that remembers nothing yet. */
export function secretRedactor(): SecretRedactor {
  // In the order remembered: a Set iterates in the order of insertion, so the oldest is first.
  const secrets = new Set<string>();
  return {
    remember(headers) {
      for (const [name, value] of Object.entries(headers ?? {})) {
        if (typeof value !== "string" || !SECRET_HEADER.test(name)) continue;
        // `Bearer sk-…`, `Basic dXNlcjpw…`: the token is the secret; the scheme is a word any answer may hold.
        const secret = value.trim().replace(/^[A-Za-z]+ +/, "");
        // An unset variable spelled into a header is no secret, and is a word messages hold.
        if (secret.length < SHORTEST_SECRET || secret === "undefined") continue;
        secrets.delete(secret);
        secrets.add(secret);
        if (secrets.size > REMEMBERED) secrets.delete(secrets.values().next().value as string);
      }
    },
    redact<T>(value: T): T {
      if (secrets.size === 0) return value;
      const known = [...secrets];
      const text = (from: string) => withoutSecrets(from, known);
      const deep = (item: unknown): unknown => {
        if (typeof item === "string") return text(item);
        if (Array.isArray(item)) return item.map(deep);
        if (item === null || typeof item !== "object") return item;
        // Headers by what they do, so that a custom fetch's own class (or another realm's) counts too.
        const headers = item as Headers;
        if (typeof headers.get === "function" && typeof headers.entries === "function") {
          return new Headers([...headers.entries()].map(([name, header]): [string, string] => [name, text(header)]));
        }
        return Object.fromEntries(Object.entries(item).map(([key, field]) => [text(key), deep(field)]));
      };
      return deep(value) as T;
    },
  };
}

/**
 * `text` with every occurrence of each of `secrets`, and of any start of one at least
 * {@link SHORTEST_SECRET} long, replaced by {@link REDACTED}: a start, because an answer (or
 * what a proxy quoted) may have been cut inside the secret. Where occurrences overlap or touch
 * (one secret inside another, or two run together), one {@link REDACTED} takes the place of
 * all of them, so none leaves a part of another behind.
 */
export function withoutSecrets(text: string, secrets: readonly string[]): string {
  const found: Array<[number, number]> = [];
  for (const secret of secrets) {
    const start = secret.slice(0, SHORTEST_SECRET);
    for (let at = text.indexOf(start); at !== -1; at = text.indexOf(start, at + 1)) {
      let end = at + start.length;
      while (end - at < secret.length && text[end] === secret[end - at]) end++;
      found.push([at, end]);
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  let out = "";
  let from = 0;
  for (const [at, end] of found) {
    // One that overlaps or touches the last taken out widens it: `out` ends in that REDACTED.
    if (out && at <= from) from = Math.max(from, end);
    else {
      out += text.slice(from, at) + REDACTED;
      from = end;
    }
  }
  return out + text.slice(from);
}
