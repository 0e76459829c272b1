import type { UploadsClient } from "../core/client.js";
import type { FileSource, PartSender } from "./source.js";

/**
 * Sends each part through the client's own `addUploadPart` (fetch and FormData). Works in
 * every runtime; each attempt serializes the Blob slice again, so a retry re-sends the same
 * bytes. Progress is reported when a part is accepted, not while it streams.
 */
export function fetchPartSender(client: UploadsClient, source: FileSource): PartSender {
  return {
    send: ({ uploadId, part, options }) =>
      client.addUploadPart(uploadId, { data: source.slice(part.start, part.end) }, options),
    close: () => {},
  };
}
