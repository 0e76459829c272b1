/** The one function of proxy-from-env, which ships no types. */
declare module "proxy-from-env" {
  /** The proxy URL that HTTP(S)_PROXY, ALL_PROXY and NO_PROXY give for `url`; "" for none. */
  export function getProxyForUrl(url: string | URL): string;
}
