import type { UploadsClient } from "../core/client.js";
import type { RequestOptions } from "../core/options.js";
import type { UploadPart } from "../types.js";
import type { PlannedPart } from "./part-plan.js";

/** The file being uploaded, as `uploadFile` reads it: a size and replayable byte ranges. */
export interface FileSource {
  /** Size in bytes when the source was opened. */
  readonly size: number;
  /** The base name of a path, or `File.name`; undefined for a bare Blob. */
  readonly name: string | undefined;
  /** The MIME type the source declares itself (`Blob.type`), if any. */
  readonly type: string | undefined;
  /** Modification time when opened, for a file on disk; `lastModified` for a File. */
  readonly mtimeMs: number | undefined;
  /** The path on disk, when there is one, so a part can be streamed straight from it. */
  readonly path: string | undefined;
  /** Bytes `[start, end)`; reading the returned Blob again yields the same bytes. */
  slice(start: number, end: number): Blob;
  /** Rejects with `FileChangedError` when the file is no longer the one that was opened. */
  assertUnchanged(): Promise<void>;
}

/** One part to send, with a callback for the bytes streamed so far in this attempt. */
export interface PartRequest {
  uploadId: string;
  part: PlannedPart;
  options: RequestOptions;
  onBytes: (bytesStreamed: number) => void;
}

/**
 * How one upload talks to the API: the JSON operations, and the parts of one source.
 * `close` releases what it holds (sockets) once the upload is over.
 */
export interface UploadTransport {
  operations: Pick<UploadsClient, "createUpload" | "completeUpload" | "cancelUpload">;
  sendPart(request: PartRequest): Promise<UploadPart>;
  close(): void;
}

/**
 * A Blob (or File) as a source. Blobs cannot change, so there is nothing to watch; a File's
 * `lastModified` stands for its mtime, so that a resume can tell another file of the same size.
 */
export function blobSource(blob: Blob): FileSource {
  const file = typeof File !== "undefined" && blob instanceof File ? blob : undefined;
  return {
    size: blob.size,
    name: file?.name || undefined,
    type: blob.type || undefined,
    mtimeMs: file?.lastModified,
    path: undefined,
    slice: (start, end) => blob.slice(start, end),
    assertUnchanged: async () => {},
  };
}
