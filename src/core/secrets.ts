import { CREDENTIAL_HEADERS } from "./credentials.js";

/** What an error shows where a secret was. */
export const REDACTED = "[redacted]";

/**
 * Values shorter than this are never taken out: no real key or token is, and taking out a
 * test key's few letters from every answer would garble it.
 */
export const SHORTEST_SECRET = 8;

/** The headers whose value is a secret: the credential's, and a proxy's credentials. */
const SECRET_HEADERS: readonly string[] = [...CREDENTIAL_HEADERS, "proxy-authorization"];

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
   * Remembers the secrets among `headers`: the token of `Authorization` and `Proxy-Authorization`
   * without its scheme, the value of `api-key`.
   */
  remember(headers: Readonly<Record<string, string | null | undefined>> | undefined): void;
  /**
   * A copy of `value` with every remembered secret replaced by {@link REDACTED}: in `Headers`,
   * or in any value JSON can hold (a parsed body, its text), in every string however deep,
   * keys included. `undefined` comes back as it is.
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
        const lower = name.toLowerCase();
        if (typeof value !== "string" || !SECRET_HEADERS.includes(lower)) continue;
        // `Bearer sk-…`, `Basic dXNlcjpw…`: the token is the secret; the scheme is a word any answer may hold.
        const secret = lower === "api-key" ? value.trim() : value.trim().replace(/^[A-Za-z]+ +/, "");
        if (secret.length < SHORTEST_SECRET) continue;
        secrets.delete(secret);
        secrets.add(secret);
        if (secrets.size > REMEMBERED) secrets.delete(secrets.values().next().value as string);
      }
    },
    redact<T>(value: T): T {
      if (secrets.size === 0) return value;
      // Longest first, so that a secret inside another cannot leave the rest of that one behind.
      const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
      const without = (text: string, spell: (secret: string) => string) =>
        longestFirst.reduce((out, secret) => out.replaceAll(spell(secret), REDACTED), text);
      if (value instanceof Headers) {
        return new Headers([...value].map(([name, header]): [string, string] => [name, without(header, String)])) as T;
      }
      // Through JSON, every string is reached, keys included, however deep; a secret is looked
      // for as JSON spells it, so that one with a quote or a backslash in it is found too.
      const json = JSON.stringify(value);
      return json === undefined ? value : JSON.parse(without(json, (secret) => JSON.stringify(secret).slice(1, -1)));
    },
  };
}
