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
