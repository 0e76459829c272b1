/**
 * The limits the Uploads API documents. OpenAI writes "64 MB" and "8 GB"; its own Python
 * helper cuts 64 MiB parts, so the binary units are what the API accepts.
 */

/** The largest part the API accepts: 64 MiB. */
export const MAX_PART_BYTES = 64 * 1024 * 1024;

/** The most bytes one upload may hold: 8 GiB. */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024;

/** An upload expires this many seconds after it was created. */
export const UPLOAD_TTL_SECONDS = 60 * 60;

/** The range of `expires_after.seconds` on create: one hour to 30 days. */
export const FILE_EXPIRY_SECONDS = { min: 3600, max: 30 * 24 * 60 * 60 } as const;

/** The purposes `createUpload` accepts, as the spec lists them. */
export const UPLOAD_PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"] as const;
