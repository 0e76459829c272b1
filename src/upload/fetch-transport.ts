import type { UploadsClient } from "../core/client.js";
import type { FileSource, UploadTransport } from "./source.js";

/**
 * Everything through the client itself (fetch, FormData for parts). Works in every runtime;
 * each attempt serializes the Blob slice again, so a retry re-sends the same bytes. Progress
 * is reported when a part is accepted, not while it streams.
 */
export function fetchTransport(client: UploadsClient, source: FileSource): UploadTransport {
  return {
    operations: client,
    sendPart: ({ uploadId, part, options }) =>
      client.addUploadPart(uploadId, { data: source.slice(part.start, part.end) }, options),
    close: () => {},
  };
}
