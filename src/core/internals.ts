import type { Invoke } from "../../generated/client.js";
import type { RequestOptions } from "./options.js";

/**
 * What a client keeps to itself but helpers such as `uploadFile` need to send requests the
 * client's way. Held in a WeakMap rather than on the client object, so neither `util.inspect`
 * (even with `showHidden`) nor enumeration can reach the headers and the key inside them.
 */
export interface ClientInternals {
  /** The retrying runtime behind the generated operations. */
  readonly invoke: Invoke<RequestOptions>;
  /** Every request's headers, Authorization included. */
  readonly headers: Readonly<Record<string, string>>;
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** Whether the caller supplied its own fetch; helpers must then send through it, not around it. */
  readonly customFetch: boolean;
}

const internals = new WeakMap<object, ClientInternals>();

export function setClientInternals(client: object, value: ClientInternals): void {
  internals.set(client, value);
}

/** The internals of a client made by `createUploadsClient`; undefined for any other object. */
export function clientInternals(client: object): ClientInternals | undefined {
  return internals.get(client);
}
