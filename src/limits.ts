/**
 * The limits and enums code checks against, under the names the package exports. Each is
 * generated from openapi/uploads.yaml (`npm run generate` writes them as constants.ts); none is
 * typed here.
 */
import {
  CREATE_UPLOAD_REQUEST_PURPOSE,
  FILE_EXPIRATION_AFTER_SECONDS_RANGE,
  MAX_PART_BYTES,
  MAX_UPLOAD_BYTES,
  UPLOAD_TTL_SECONDS,
} from "../generated/constants.js";

export { MAX_PART_BYTES, MAX_UPLOAD_BYTES, UPLOAD_TTL_SECONDS };

/** The range of `expires_after.seconds` on create, from the spec's `FileExpirationAfter.seconds`. */
export const FILE_EXPIRY_SECONDS = FILE_EXPIRATION_AFTER_SECONDS_RANGE;

/** The purposes `createUpload` accepts: the spec's `CreateUploadRequest.purpose` enum. */
export const UPLOAD_PURPOSES = CREATE_UPLOAD_REQUEST_PURPOSE;
