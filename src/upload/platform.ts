/**
 * The seams of `uploadFile`: what it needs from the runtime it runs in (a way to open and read
 * the file, MD5, a way to send parts, MIME types, a place to keep resume state), as small
 * interfaces in one place. The Node
 * and web entries each supply an {@link UploadPlatform}; the upload itself (upload-file.ts)
 * knows nothing of either.
 */
import type { UploadsClient } from "../core/client.js";
import type { RequestOptions } from "../core/options.js";
import { APIUserAbortError } from "../errors/connection.js";
import type { UploadPart } from "../types.js";
import type { PlannedPart } from "./part-plan.js";
import type { UploadResume } from "./resume.js";
import type { ByteStream } from "./stream-source.js";

/**
 * The file being uploaded, as `uploadFile` reads it: a size, the bytes of each part, and the
 * MD5 of the whole. Each kind of source (a file on disk, a Blob, a stream) cuts itself.
 */
export interface FileSource {
  /** Size in bytes when the source was opened (for a stream: the size it was declared to have). */
  readonly size: number;
  /** The base name of a path, or `File.name`; undefined for a bare Blob or a stream. */
  readonly name: string | undefined;
  /** How messages name the source: a path, a File's name, "the Blob" or "the stream". */
  readonly label: string;
  /** The MIME type the source declares itself (`Blob.type`), if any. */
  readonly type: string | undefined;
  /** Modification time when opened, for a file on disk; `lastModified` for a File. */
  readonly mtimeMs: number | undefined;
  /**
   * What names this file to a later process (an absolute path, a File's name), so that a
   * resume store can find its upload again; undefined when nothing does (a Blob, a stream).
   */
  readonly identity: string | undefined;
  /**
   * The bytes of `part`; every attempt at sending it reads them again, so a retry sends the
   * same bytes. A stream's parts must be asked for in file order, each once; `signal` stops
   * waiting for a stream's bytes.
   */
  partData(part: PlannedPart, signal: AbortSignal): Promise<PartData>;
  /** The hex MD5 of the whole source; rejects with `APIUserAbortError` on abort. */
  md5Hex(signal: AbortSignal): Promise<string>;
  /** Rejects with `FileChangedError` when the file is no longer the one that was opened. */
  assertUnchanged(): Promise<void>;
  /**
   * Called once every part has been asked for: checks that the source holds exactly `size`
   * bytes (a stream is read to its end), rejecting with `FileChangedError` if not, or with
   * `APIUserAbortError` once `signal` fires.
   */
  finish(signal: AbortSignal): Promise<void>;
  /** Stops reading once the upload is over, however it ended: a stream is cancelled. */
  release(): void;
}

/**
 * Who runs an upload, so that a resume store's entry held by a call that still runs is left
 * alone: its process on this machine is alive, or its page holds its Web Lock; where the
 * runtime cannot tell, it saved within the last minute.
 */
export interface Lease {
  /** A new name for a call, unique across processes and machines. */
  owner(): string;
  /** Whether the call `owner` names still runs, if this runtime can tell; undefined if not. */
  alive(owner: string): boolean | undefined | Promise<boolean | undefined>;
  /**
   * Marks the call `owner` names as running, for `alive` to see from elsewhere; resolves, once
   * it does, to what ends that. None where a call runs visibly by itself (a process).
   */
  hold?(owner: string): Promise<() => void>;
}

/** A part's bytes: a slice of a Blob (or of a file on disk), or a stream's part read into memory. */
export type PartData = Blob | Uint8Array<ArrayBuffer>;

/** An MD5 fed chunk by chunk: node:crypto's under Node, WebAssembly or JavaScript elsewhere. */
export interface Md5 {
  update(bytes: Uint8Array): void;
  /** The digest of everything fed so far, as lowercase hex. */
  hex(): string;
}

/**
 * Where `uploadFile` keeps what it needs to continue an upload after its process dies, by a
 * key naming the file and the upload's settings: set when the upload is created and as each
 * part is accepted, deleted once the upload completes, is cancelled or cannot be continued.
 * Values are plain JSON without secrets. Methods may return promises. A store that throws is
 * given up for the rest of that upload: the upload goes on, only without crash safety.
 */
export interface ResumeStore {
  /** The state stored under `key`, or undefined; a value that is not one is ignored. */
  get(key: string): UploadResume | undefined | Promise<UploadResume | undefined>;
  /** Stores `resume` under `key`, replacing what was there. */
  set(key: string, resume: UploadResume): void | Promise<void>;
  /** Removes `key`; a missing key is not an error. */
  delete(key: string): void | Promise<void>;
}

/** One part to send, with a callback for the bytes streamed so far in this attempt. */
export interface PartRequest {
  uploadId: string;
  part: PlannedPart;
  /** The part's bytes, from `FileSource.partData`. */
  data: PartData;
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
  /**
   * Opens a path, Blob or stream (of `declared.bytes` bytes), refusing with an
   * `InvalidArgumentError` what cannot be uploaded.
   */
  openSource(file: UploadSourceInput, declared: SourceDeclared): Promise<Source>;
  /** How this runtime tells a running upload's resume store entry from a dead one's. */
  lease: Lease;
  /** The fastest way this runtime has to send `source` with `client`'s settings. */
  transport(client: UploadsClient, source: Source, settings: TransportSettings): UploadTransport;
  /** The MIME type for a file name, from its extension; undefined when unknown. */
  mimeTypeFor(filename: string): string | undefined;
}

/** Makes a new {@link Md5}; a runtime may need to load its hasher first. */
export type Md5Factory = () => Md5 | Promise<Md5>;

/** What the caller said of a source: a stream's size, and whether its MD5 is wanted. */
export interface SourceDeclared {
  bytes: number | undefined;
  md5: boolean;
}

/** Everything `uploadFile`'s `file` option takes. */
export type UploadSourceInput = string | Blob | ByteStream;

/**
 * A Blob (or File) as a source. Blobs cannot change, so there is nothing to watch; a File's
 * `lastModified` stands for its mtime, so that a resume can tell another file of the same size.
 * Its MD5, when `hash` is given, is fed from the Blob's stream, so memory stays flat. In
 * Chromium that reads a picked 48 MiB File for hashing in 137 ms against 200 ms in 4 MiB slices
 * (each slice's arrayBuffer() is read, then hashed; the stream reads ahead while a chunk hashes),
 * and the CPU it saves is what the parts being sent share with the hash.
 */
export function blobSource(blob: Blob, hash: Md5 | undefined): FileSource {
  const file = typeof File !== "undefined" && blob instanceof File ? blob : undefined;
  return {
    size: blob.size,
    name: file?.name || undefined,
    label: file?.name || "the Blob",
    type: blob.type || undefined,
    mtimeMs: file?.lastModified,
    identity: file?.name || undefined,
    partData: async (part) => blob.slice(part.start, part.end),
    async md5Hex(signal) {
      if (!hash) return "";
      const reader = blob.stream().getReader();
      for (;;) {
        if (signal.aborted) {
          await reader.cancel();
          throw new APIUserAbortError();
        }
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
      }
      if (signal.aborted) throw new APIUserAbortError();
      return hash.hex();
    },
    assertUnchanged: async () => {},
    finish: async () => {},
    release: () => {},
  };
}

/**
 * Everything through the client itself (its fetch, FormData for parts). Works in every
 * runtime; each attempt serializes the part's Blob again, so a retry re-sends the same bytes.
 * Progress is reported when a part is accepted, not while it streams.
 */
export function fetchTransport(client: UploadsClient): UploadTransport {
  return {
    operations: client,
    sendPart: ({ uploadId, data, options }) =>
      client.addUploadPart(uploadId, { data: data instanceof Blob ? data : new Blob([data]) }, options),
    close: () => {},
  };
}
