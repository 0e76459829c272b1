import { OpenAIUploadsError } from "./base.js";

/**
 * The HTTP proxy answered 407 Proxy Authentication Required: it wants credentials, or refused
 * the ones in its URL. Never retried. `proxy` is the proxy's URL without its user name and
 * password, which no message shows.
 */
export class ProxyAuthenticationError extends OpenAIUploadsError {
  /** Always `"ProxyAuthenticationError"`, spelled out so it survives minification. */
  override name = "ProxyAuthenticationError";
  /** The proxy, as `http://host:port`. */
  declare readonly proxy: string;

  constructor(proxy: string, hadCredentials: boolean) {
    super(
      `proxy ${proxy} answered 407 Proxy Authentication Required: ` +
        (hadCredentials
          ? "it refused the credentials in its URL; check them."
          : "it wants credentials; put them in its URL, http://user:password@host:port."),
    );
    this.proxy = proxy;
  }
}
