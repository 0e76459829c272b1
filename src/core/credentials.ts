import { CredentialError } from "../errors/credential.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";

/**
 * A key or token, or a function that gives one (sync or async). A function is asked for each
 * request, retries included: a key that rotates or a token that expires needs no new client.
 */
export type Credential = string | (() => string | Promise<string>);

/** The headers a credential goes in, OpenAI's and Azure's: the credential's own replace the client's. */
export const CREDENTIAL_HEADERS = ["authorization", "api-key"] as const;

/** The headers that authenticate one request: asked for before each attempt is sent. */
export type AuthHeaders = () => Promise<Record<string, string>>;

/**
 * A key as headers take it, or undefined when it cannot be one: printable ASCII, with the
 * HTTP whitespace around it (a .env line's CR LF) trimmed. Not String.trim's wider set, which
 * would let a BOM or a no-break space through; fetch would refuse such a key with a message
 * that quotes it, and node:http refuses a CR that fetch trims.
 */
function asHeaderValue(value: string): string | undefined {
  return /^[\t\n\r ]*([!-~]+)[\t\n\r ]*$/.exec(value)?.[1];
}

/**
 * The headers a credential authenticates with, as `toHeaders` spells them (`Authorization:
 * Bearer …`, Azure's `api-key: …`). A string is checked once, here: a blank or malformed one is
 * an {@link InvalidArgumentError} naming `option`. A function is asked for each request and
 * what it gives is checked then: a throw, a non-string or a malformed value is a
 * {@link CredentialError} naming `option`. Neither message holds the value.
 */
export function credentialHeaders(
  credential: Credential,
  option: string,
  toHeaders: (secret: string) => Record<string, string>,
): AuthHeaders {
  if (typeof credential === "function") {
    return async () => {
      let given: unknown;
      try {
        given = await credential();
      } catch (cause) {
        // Not its message, which may quote what a token endpoint answered: that is in the cause.
        throw new CredentialError(option, "threw; what it threw is the cause.", { cause });
      }
      if (typeof given !== "string") {
        throw new CredentialError(option, `gave ${given === null ? "null" : typeof given}, not a string.`);
      }
      const secret = asHeaderValue(given);
      if (!secret) {
        throw new CredentialError(
          option,
          given.trim()
            ? "gave a value with a space, a line break or a non-ASCII character inside."
            : "gave a blank value.",
        );
      }
      return toHeaders(secret);
    };
  }
  if (typeof credential !== "string") {
    throw new InvalidArgumentError(`${option} must be a string or a function that gives one.`, { option });
  }
  if (!credential.trim()) throw new InvalidArgumentError(`${option} is blank.`, { option, remedy: "pass" });
  const secret = asHeaderValue(credential);
  if (!secret) {
    throw new InvalidArgumentError(
      `${option} has a space, a line break or a non-ASCII character inside: was it pasted whole and alone?`,
      { option },
    );
  }
  const headers = toHeaders(secret);
  return async () => headers;
}
