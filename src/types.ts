import type { components } from "../generated/schema.js";

/** An Upload: `pending` while it takes parts, then `completed` (with `file`), `cancelled` or `expired`. */
export type Upload = components["schemas"]["Upload"];
/** One stored part of an Upload. */
export type UploadPart = components["schemas"]["UploadPart"];
/** The File an Upload becomes when completed. */
export type OpenAIFile = components["schemas"]["OpenAIFile"];
/** The body of `createUpload`. */
export type CreateUploadRequest = components["schemas"]["CreateUploadRequest"];
/** The body of `completeUpload`. */
export type CompleteUploadRequest = components["schemas"]["CompleteUploadRequest"];
/** The body of `addUploadPart`. */
export type AddUploadPartRequest = components["schemas"]["AddUploadPartRequest"];
/** A purpose `createUpload` accepts. */
export type UploadPurpose = CreateUploadRequest["purpose"];
