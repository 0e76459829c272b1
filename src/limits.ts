/**
 * The limits and enums code checks against, under the names the package exports. Each is
 * generated from openapi/uploads.yaml (`npm run generate` writes them as constants.ts); none is
 * typed here.
 */
import {
  CREATE_UPLOAD_REQUEST_PURPOSE,
  FILE_EXPIRATION_AFTER_ANCHOR,
  FILE_EXPIRATION_AFTER_SECONDS_RANGE,
  MAX_PART_BYTES,
  MAX_UPLOAD_BYTES,
  UPLOAD_TTL_SECONDS,
} from "../generated/constants.js";

export { MAX_PART_BYTES, MAX_UPLOAD_BYTES, UPLOAD_TTL_SECONDS };

/** A limit in the largest binary unit it is a whole number of, for messages: `64 MiB`, `8 GiB`. */
export function inBinaryUnits(bytes: number): string {
  const [unit, size] = (
    [
      ["GiB", 1024 ** 3],
      ["MiB", 1024 ** 2],
      ["KiB", 1024],
    ] as const
  ).find(([, size]) => bytes % size === 0) ?? ["bytes", 1];
  return `${bytes / size} ${unit}`;
}

/** The one anchor `expires_after` takes: the spec's `FileExpirationAfter.anchor` enum has a single value. */
export const FILE_EXPIRY_ANCHOR = FILE_EXPIRATION_AFTER_ANCHOR[0];

/** The range of `expires_after.seconds` on create, from the spec's `FileExpirationAfter.seconds`. */
export const FILE_EXPIRY_SECONDS = FILE_EXPIRATION_AFTER_SECONDS_RANGE;

/**
 * The purposes `createUpload` accepts: the spec's `CreateUploadRequest.purpose` enum. To add
 * one, add it there (and to `OpenAIFile.purpose`) and run `npm run generate`.
 */
export const UPLOAD_PURPOSES = CREATE_UPLOAD_REQUEST_PURPOSE;
