import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ApiError } from "./errors.js";

const howTo = "Send it in an Authorization header using Bearer auth: 'Authorization: Bearer YOUR_API_KEY'.";
const azureHowTo =
  "Send a key in an api-key header ('api-key: YOUR_API_KEY'), or a Microsoft Entra ID token as a Bearer token ('Authorization: Bearer YOUR_TOKEN').";

/** Compared as digests so neither the content nor the length of the key leaks through timing. */
function sameKey(given: string, expected: string): boolean {
  const digest = (key: string) => createHash("sha256").update(key).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of a Bearer `Authorization` header; undefined for another scheme or none. */
function bearer(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(header)?.[1];
}

/**
 * Checks the `Authorization` header the way the API does: a Bearer token is required and, when
 * the server was given an `apiKey`, must equal it. Throws a 401 {@link ApiError} otherwise. The
 * messages never repeat the token, so a key cannot leak into a response or a test log.
 */
export function authenticate(header: string | undefined, apiKey: string | undefined): void {
  if (!header) throw new ApiError(401, `You didn't provide an API key. ${howTo}`);
  const token = bearer(header);
  if (!token) {
    throw new ApiError(401, `The Authorization header is not Bearer auth with a key. ${howTo}`);
  }
  if (apiKey !== undefined && !sameKey(token, apiKey)) {
    throw new ApiError(
      401,
      "Incorrect API key provided. Use the key the local server was started with (its apiKey option).",
      {
        code: "invalid_api_key",
      },
    );
  }
}

/**
 * Checks a request's credentials the way Azure OpenAI takes them: an `api-key` header or, when
 * there is none, an `Authorization: Bearer` token (a Microsoft Entra ID token, to Azure). With
 * an `apiKey`, the one sent must equal it; without, any non-empty one is accepted. Throws a 401
 * {@link ApiError} otherwise, whose message never repeats what was sent.
 */
export function authenticateAzure(headers: IncomingHttpHeaders, apiKey: string | undefined): void {
  const keyHeader = headers["api-key"];
  // Node joins repeated headers it knows nothing of with ", "; a key has no such thing in it.
  const key = (Array.isArray(keyHeader) ? keyHeader.join(", ") : keyHeader)?.trim() || undefined;
  const given = key ?? bearer(headers.authorization);
  if (given === undefined) {
    const problem = headers.authorization
      ? "The request has no api-key header, and its Authorization header is not Bearer auth with a token."
      : "You didn't provide an API key or token.";
    throw new ApiError(401, `${problem} ${azureHowTo}`);
  }
  if (apiKey !== undefined && !sameKey(given, apiKey)) {
    throw new ApiError(
      401,
      `Incorrect ${key === undefined ? "Bearer token" : "api-key"} provided. Use the key the local server was started with (its apiKey option), in an api-key header or as a Bearer token.`,
      { code: "invalid_api_key" },
    );
  }
}
