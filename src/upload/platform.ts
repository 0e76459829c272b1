import type { UploadsClient } from "../core/client.js";
import type { FileSource, UploadTransport } from "./source.js";

/** What `uploadFile` needs from the runtime it runs in: files, hashing, sending, MIME types. */
export interface UploadPlatform {
  /** Opens a path or Blob, refusing with an `InvalidArgumentError` what cannot be uploaded. */
  openSource(file: string | Blob): Promise<FileSource>;
  /** The hex MD5 of the whole source, read in order; rejects with `APIUserAbortError` on abort. */
  md5Hex(source: FileSource, signal: AbortSignal): Promise<string>;
  /** The fastest way this runtime has to send `source` with `client`'s settings. */
  transport(client: UploadsClient, source: FileSource, concurrency: number): UploadTransport;
  /** The MIME type for a file name, from its extension; undefined when unknown. */
  mimeTypeFor(filename: string): string | undefined;
}
