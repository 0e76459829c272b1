import type { OperationId } from "../../generated/client.js";
import { ApiError } from "./errors.js";

/** The operation a request names, with the upload id taken from the path. */
export type Route =
  | { operationId: "createUpload" }
  | { operationId: Exclude<OperationId, "createUpload">; uploadId: string };

/**
 * `/v1` is optional: clients call the server at its `/v1` URL like the real API, while Prism's
 * proxy forwards the spec's paths without the base path.
 */
const UPLOAD_PATH = /^(?:\/v1)?\/uploads(?:\/([^/]+)\/(parts|complete|cancel))?$/;

const ACTIONS = { parts: "addUploadPart", complete: "completeUpload", cancel: "cancelUpload" } as const;

/**
 * The operation a request's method and path (without query string) name. Throws a 404
 * {@link ApiError} for a path the API does not have, and a 405 with `Allow: POST` for any
 * method but POST on one it has, since every operation of the spec is a POST.
 */
export function route(method: string | undefined, pathname: string): Route {
  const match = UPLOAD_PATH.exec(pathname);
  if (!match) {
    throw new ApiError(
      404,
      `Invalid URL (${method} ${pathname}). This server has POST /v1/uploads and POST /v1/uploads/{upload_id}/parts, /complete and /cancel.`,
    );
  }
  if (method !== "POST") {
    throw new ApiError(405, `Method ${method} is not allowed on ${pathname}; use POST.`, {
      headers: { allow: "POST" },
    });
  }
  const [, uploadId, action] = match;
  if (uploadId === undefined || action === undefined) return { operationId: "createUpload" };
  return { operationId: ACTIONS[action as keyof typeof ACTIONS], uploadId };
}
