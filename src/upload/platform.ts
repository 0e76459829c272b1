/**
 * The seams of `uploadFile`: what it needs from the runtime it runs in (a way to open and read
 * the file, MD5, a way to send parts, MIME types), as small interfaces in one place. The Node
 * and web entries each supply an {@link UploadPlatform}; the upload itself (upload-file.ts)
 * knows nothing of either.
 */
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
  /** How messages name the source: a path, a File's name, or "the Blob". */
  readonly label: string;
  /** The MIME type the source declares itself (`Blob.type`), if any. */
  readonly type: string | undefined;
  /** Modification time when opened, for a file on disk; `lastModified` for a File. */
  readonly mtimeMs: number | undefined;
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
 * How one upload talks to the API: the JSON operations, and the parts of one source. `close`
 * releases what it holds (sockets) once the upload is over.
 */
export interface UploadTransport {
  operations: Pick<UploadsClient, "createUpload" | "completeUpload" | "cancelUpload">;
  sendPart(request: PartRequest): Promise<UploadPart>;
  close(): void;
}

/** What a transport takes from `uploadFile`'s options. */
export interface TransportSettings {
  /** Parts in flight at once. */
  concurrency: number;
  /** How long a request's bytes may stand still before it is dropped and sent again (where the transport can see them move). */
  stallTimeoutMs: number;
}

/** What `uploadFile` needs from the runtime it runs in, for the kind of source that runtime opens. */
export interface UploadPlatform<Source extends FileSource = FileSource> {
  /** Opens a path or Blob, refusing with an `InvalidArgumentError` what cannot be uploaded. */
  openSource(file: string | Blob): Promise<Source>;
  /** The hex MD5 of the whole source, read in order; rejects with `APIUserAbortError` on abort. */
  md5Hex(source: Source, signal: AbortSignal): Promise<string>;
  /** The fastest way this runtime has to send `source` with `client`'s settings. */
  transport(client: UploadsClient, source: Source, settings: TransportSettings): UploadTransport;
  /** The MIME type for a file name, from its extension; undefined when unknown. */
  mimeTypeFor(filename: string): string | undefined;
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
    label: file?.name || "the Blob",
    type: blob.type || undefined,
    mtimeMs: file?.lastModified,
    slice: (start, end) => blob.slice(start, end),
    assertUnchanged: async () => {},
  };
}

/**
 * Everything through the client itself (its fetch, FormData for parts). Works in every
 * runtime; each attempt serializes the Blob slice again, so a retry re-sends the same bytes.
 * Progress is reported when a part is accepted, not while it streams.
 */
export function fetchTransport(client: UploadsClient, source: FileSource): UploadTransport {
  return {
    operations: client,
    sendPart: ({ uploadId, part, options }) =>
      client.addUploadPart(uploadId, { data: source.slice(part.start, part.end) }, options),
    close: () => {},
  };
}
