import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { MAX_PART_BYTES } from "../limits.js";
import { base64UrlToJson, jsonToBase64Url } from "../utils/base64url.js";

/**
 * The state `uploadFile` needs to continue an upload: plain JSON, so it can be stored,
 * logged or passed between processes. It holds no secret.
 */
export interface UploadResume {
  /** Format version of this object. */
  version: 1;
  /** The upload on the server. */
  uploadId: string;
  /** When the upload expires, in Unix seconds; nothing can be added after that. */
  expiresAt: number;
  /** The size of the file, which must not have changed. */
  bytes: number;
  /** The part size the file was cut with; a resume must cut it the same way. */
  partSize: number;
  /** The file's modification time when the upload began (a File's `lastModified`); absent for a bare Blob. */
  mtimeMs?: number;
  /** The id of each part the server accepted, by part number; `null` where none was. */
  partIds: (string | null)[];
  /** Set once `completeUpload` was called: a refusal to complete it later means it most likely did. */
  completing?: boolean;
}

const PREFIX = "oaiu1.";

/** Turns a resume state into one URL-safe string. */
export function encodeResumeToken(resume: UploadResume): string {
  return PREFIX + jsonToBase64Url(JSON.stringify(resume));
}

/** Reads a resume state from `encodeResumeToken`'s string or takes the object as it is, checking its shape. */
export function parseResume(value: UploadResume | string): UploadResume {
  let resume: unknown = value;
  if (typeof value === "string") {
    try {
      if (!value.startsWith(PREFIX)) throw new Error("prefix");
      resume = JSON.parse(base64UrlToJson(value.slice(PREFIX.length)));
    } catch {
      resume = undefined;
    }
  }
  if (!isResume(resume)) {
    throw new InvalidArgumentError(
      "resume is not a resume token or state; pass the `resumeToken` or `resume` of the UploadFileError that stopped the upload, unchanged.",
      { option: "resume" },
    );
  }
  return resume;
}

/** Whether `value` has the shape of an {@link UploadResume}: what a store or a token must hold to be used. */
export function isResume(value: unknown): value is UploadResume {
  const r = value as Partial<UploadResume> | null;
  return (
    typeof r === "object" &&
    r !== null &&
    r.version === 1 &&
    typeof r.uploadId === "string" &&
    r.uploadId !== "" &&
    Number.isSafeInteger(r.expiresAt) &&
    Number.isSafeInteger(r.bytes) &&
    Number.isSafeInteger(r.partSize) &&
    (r.partSize as number) >= 1 &&
    (r.partSize as number) <= MAX_PART_BYTES &&
    (r.mtimeMs === undefined || typeof r.mtimeMs === "number") &&
    (r.completing === undefined || typeof r.completing === "boolean") &&
    Array.isArray(r.partIds) &&
    r.partIds.length === Math.ceil((r.bytes as number) / (r.partSize as number)) &&
    r.partIds.every((id) => id === null || (typeof id === "string" && id !== ""))
  );
}
