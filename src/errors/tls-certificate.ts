import { OpenAIUploadsError } from "./base.js";

/**
 * Under Node: the server's TLS certificate was refused (not trusted, for another host, or out
 * of its dates), so nothing was sent. Never retried: another attempt would meet the same
 * certificate. `code` is Node's verification code, such as `DEPTH_ZERO_SELF_SIGNED_CERT`.
 */
export class TLSCertificateError extends OpenAIUploadsError {
  /** Always `"TLSCertificateError"`, spelled out so it survives minification. */
  override name = "TLSCertificateError";
  /** Node's TLS verification code: `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`... */
  declare readonly code: string;

  constructor(code: string, cause: unknown) {
    super(
      /ALTNAME/.test(code)
        ? `the server's TLS certificate does not name this host (${code}): check the base URL.`
        : /EXPIRED|NOT_YET_VALID/.test(code)
          ? `the server's TLS certificate is out of its validity dates (${code}): check the clock, or the server.`
          : `the server's TLS certificate is not trusted (${code}): if it comes from a private CA, ` +
            "point NODE_EXTRA_CA_CERTS at that CA's certificate file (PEM).",
      { cause },
    );
    this.code = code;
  }
}

/**
 * The `TLSCertificateError` for a failure whose causes carry a TLS verification code (fetch
 * keeps it two levels down, node:https on the error itself); undefined for any other failure.
 */
export function certificateFailure(error: unknown): TLSCertificateError | undefined {
  // A few levels at most: a cause chain could loop.
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)/.test(code)) {
      return new TLSCertificateError(code, error);
    }
  }
  return undefined;
}
