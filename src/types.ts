export type { RequestIdentified } from "./core/operation.js";

import type * as Schema from "../generated/schema.js";

/**
 * Every path and operation of `openapi/uploads.yaml`, as openapi-typescript types them: what
 * openapi-fetch's `createClient<paths>()` takes, for calls outside the typed functions. The
 * HTML reference of the spec documents them.
 */
export type paths = Schema.paths;
/** The spec's reusable schemas, responses and parameters, by name (`components["schemas"]["Upload"]`). */
export type components = Schema.components;
/** The spec's operations by operationId, with their parameters, bodies and responses. */
export type operations = Schema.operations;

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
