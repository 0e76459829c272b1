/** Everything both entries export, apart from `uploadFile`, whose runtime each entry picks. */

export type { AzureClientOptions } from "./core/azure.js";
export type { ClientRuntime, UploadsClient } from "./core/client.js";
export type { Credential } from "./core/credentials.js";
export type { ClientOptions, RequestOptions } from "./core/options.js";
export { MAX_RESPONSE_BYTES } from "./core/response-body.js";
export { retryDelay, shouldRetry } from "./core/retry-delay.js";
export {
  APIError,
  type AttemptHistory,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type ErrorBody,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "./errors/api-error.js";
export { OpenAIUploadsError } from "./errors/base.js";
export { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError } from "./errors/connection.js";
export { CredentialError } from "./errors/credential.js";
export { FileChangedError } from "./errors/file-changed.js";
export { InvalidArgumentError } from "./errors/invalid-argument.js";
export { ProxyAuthenticationError } from "./errors/proxy.js";
export { TLSCertificateError } from "./errors/tls-certificate.js";
export { UnexpectedResponseError, type UnexpectedResponseFacts } from "./errors/unexpected-response.js";
export { UploadFileError } from "./errors/upload-file.js";
export { MAX_PART_BYTES, MAX_UPLOAD_BYTES, UPLOAD_PURPOSES, UPLOAD_TTL_SECONDS } from "./limits.js";
export type * from "./types.js";
export { MAX_PARTS, type UploadFileOptions } from "./upload/options.js";
export type { ResumeStore } from "./upload/platform.js";
export type { ReplacedUpload, UploadProgress, UploadStart } from "./upload/progress.js";
export type { UploadResume } from "./upload/resume.js";
export type { ByteStream } from "./upload/stream-source.js";
export { type KeyValueStorage, webStorageResumeStore } from "./upload/web-storage-resume-store.js";
export { VERSION } from "./version.js";
