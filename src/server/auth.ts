import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "./errors.js";

const howTo = "Send it in an Authorization header using Bearer auth: 'Authorization: Bearer YOUR_API_KEY'.";

/** Compared as digests so neither the content nor the length of the key leaks through timing. */
function sameKey(given: string, expected: string): boolean {
  const digest = (key: string) => createHash("sha256").update(key).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Checks the `Authorization` header the way the API does: a Bearer token is required and, when
 * the server was given an `apiKey`, must equal it. Throws a 401 {@link ApiError} otherwise. The
 * messages never repeat the token, so a key cannot leak into a response or a test log.
 */
export function authenticate(header: string | undefined, apiKey: string | undefined): void {
  if (!header) throw new ApiError(401, `You didn't provide an API key. ${howTo}`);
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match?.[1]) {
    throw new ApiError(401, `The Authorization header is not Bearer auth with a key. ${howTo}`);
  }
  if (apiKey !== undefined && !sameKey(match[1], apiKey)) {
    throw new ApiError(
      401,
      "Incorrect API key provided. Use the key the local server was started with (its apiKey option).",
      {
        code: "invalid_api_key",
      },
    );
  }
}
