import { rm } from "node:fs/promises";
import type { components } from "../../generated/schema.js";
import { UPLOAD_TTL_SECONDS } from "../limits.js";
import type { CompleteUploadRequest, CreateUploadRequest } from "../types.js";
import { type DataDir, joinFiles } from "./disk.js";
import { ApiError, invalidParam } from "./errors.js";
import { newId } from "./ids.js";

/** The spec's `Upload`. */
export type Upload = components["schemas"]["Upload"];
/** The spec's `UploadPart`. */
export type UploadPart = components["schemas"]["UploadPart"];
/** The spec's `OpenAIFile`. */
export type OpenAIFile = components["schemas"]["OpenAIFile"];

/** A part whose bytes are on disk, as a snapshot of its upload lists it. */
export interface StoredPart {
  /** The part's id, as `addUploadPart` returned it. */
  id: string;
  /** The size of the part's bytes. */
  bytes: number;
}

/** What a test can see of one upload: the object the API would return plus its stored parts. */
export interface UploadSnapshot {
  /** The Upload as the API would return it now. */
  upload: Upload;
  /** The parts currently on disk, in the order they were stored. Empty once the upload is closed. */
  parts: StoredPart[];
}

interface UploadRecord {
  upload: Upload;
  request: CreateUploadRequest;
  parts: Map<string, StoredPart>;
  /** Set while a completion joins the parts, so nothing changes the parts under its feet. */
  completing: boolean;
}

/** What a caller tried to do with an upload, as error messages phrase it. */
export type Action = "add parts to" | "complete" | "cancel";

/**
 * The state of all uploads and files: it enforces the life cycle (pending -> completed,
 * cancelled or expired) and owns every byte written under the data directory. Expiry is
 * checked lazily against the injected clock whenever an upload is touched, so a test can jump
 * the clock instead of waiting an hour.
 */
export class UploadStore {
  private readonly uploads = new Map<string, UploadRecord>();
  private readonly files = new Map<string, string>();
  private readonly removals = new Set<Promise<void>>();

  constructor(
    private readonly disk: DataDir,
    private readonly now: () => number,
  ) {}

  /** Opens a new pending upload that expires {@link UPLOAD_TTL_SECONDS} after now. */
  create(request: CreateUploadRequest): Upload {
    const createdAt = this.seconds();
    const upload: Upload = {
      id: newId("upload_"),
      object: "upload",
      bytes: request.bytes,
      created_at: createdAt,
      filename: request.filename,
      purpose: request.purpose,
      status: "pending",
      expires_at: createdAt + UPLOAD_TTL_SECONDS,
      file: null,
    };
    this.uploads.set(upload.id, { upload, request, parts: new Map(), completing: false });
    return structuredClone(upload);
  }

  /**
   * Throws the 404, 400 or 409 that `action` on this upload would get right now. Operations
   * call it before reading a body, so a doomed request is refused without receiving its bytes.
   */
  assertOpen(uploadId: string, action: Action): void {
    this.open(uploadId, action);
  }

  /**
   * Checks that the upload takes parts and picks the id and path of a new part. Nothing is
   * recorded until {@link addPart}, so a part that never fully arrives leaves no trace.
   */
  reservePart(uploadId: string): { partId: string; path: string } {
    this.open(uploadId, "add parts to");
    const partId = newId("part_");
    return { partId, path: this.disk.partPath(partId) };
  }

  /**
   * Records a part whose bytes are already at the path {@link reservePart} gave. The upload is checked
   * again because it may have been cancelled, completed or expired while the bytes arrived;
   * then the bytes are discarded and the error thrown.
   */
  addPart(uploadId: string, partId: string, bytes: number): UploadPart {
    let record: UploadRecord;
    try {
      record = this.open(uploadId, "add parts to");
    } catch (error) {
      this.discard([partId]);
      throw error;
    }
    record.parts.set(partId, { id: partId, bytes });
    return { id: partId, object: "upload.part", created_at: this.seconds(), upload_id: uploadId };
  }

  /**
   * Joins the listed parts, in the listed order, into the upload's file. Each id must be a
   * part of this upload and appear once, the parts must add up to the upload's `bytes`, and
   * `md5`, when given, must match the joined bytes (hex, any case). On success the upload is
   * completed and every part, listed or not, is discarded; on failure it stays pending so the
   * client can correct the request.
   */
  async complete(uploadId: string, request: CompleteUploadRequest): Promise<Upload> {
    const record = this.open(uploadId, "complete");
    const parts = this.listedParts(record, request.part_ids);
    const total = parts.reduce((sum, part) => sum + part.bytes, 0);
    if (total !== record.upload.bytes) {
      throw invalidParam(
        "part_ids",
        `The listed parts add up to ${total} bytes, but upload ${uploadId} was created with bytes=${record.upload.bytes}. List exactly the parts that make up the file.`,
      );
    }
    const fileId = newId("file-");
    const path = this.disk.filePath(fileId);
    record.completing = true;
    try {
      const sources = parts.map((part) => this.disk.partPath(part.id));
      const digest = await joinFiles(sources, path, request.md5 !== undefined);
      if (request.md5 !== undefined && digest !== request.md5.toLowerCase()) {
        await rm(path, { force: true });
        throw invalidParam(
          "md5",
          `The md5 you sent (${request.md5}) does not match the MD5 of the joined parts (${digest}). Check that part_ids lists the right parts in file order, and send the MD5 of the whole file as 32 hex digits.`,
        );
      }
    } finally {
      record.completing = false;
    }
    const createdAt = this.seconds();
    const file: OpenAIFile = {
      id: fileId,
      object: "file",
      bytes: total,
      created_at: createdAt,
      filename: record.request.filename,
      purpose: record.request.purpose,
      status: "processed",
    };
    if (record.request.expires_after) file.expires_at = createdAt + record.request.expires_after.seconds;
    this.files.set(fileId, path);
    record.upload.status = "completed";
    record.upload.file = file;
    this.discardParts(record);
    return structuredClone(record.upload);
  }

  /** Cancels a pending upload and discards its parts. */
  cancel(uploadId: string): Upload {
    const record = this.open(uploadId, "cancel");
    record.upload.status = "cancelled";
    this.discardParts(record);
    return structuredClone(record.upload);
  }

  /** A copy of the upload and its stored parts, or undefined for an unknown id. */
  inspect(uploadId: string): UploadSnapshot | undefined {
    const record = this.uploads.get(uploadId);
    if (!record) return undefined;
    this.expireIfDue(record);
    return { upload: structuredClone(record.upload), parts: [...record.parts.values()].map((part) => ({ ...part })) };
  }

  /** Every upload ever created, oldest first, as `inspect` shows each. */
  list(): UploadSnapshot[] {
    return [...this.uploads.keys()].map((id) => this.inspect(id) as UploadSnapshot);
  }

  /** Where the bytes of a completed upload's file are, or undefined for an unknown file id. */
  filePath(fileId: string): string | undefined {
    return this.files.get(fileId);
  }

  /** Resolves once every discarded part is gone from disk. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.removals);
  }

  /** The upload, if it exists and is pending; otherwise the error that explains why not. */
  private open(uploadId: string, action: Action): UploadRecord {
    const record = this.uploads.get(uploadId);
    if (!record) {
      throw new ApiError(
        404,
        `No such upload: '${uploadId}'. Use the id that createUpload returned (it starts with 'upload_').`,
        { param: "upload_id" },
      );
    }
    this.expireIfDue(record);
    const { upload } = record;
    if (record.completing) {
      throw new ApiError(
        409,
        `Upload ${uploadId} is being completed by another request, so you cannot ${action} it now. Wait for that request to finish.`,
      );
    }
    switch (upload.status) {
      case "pending":
        return record;
      case "expired":
        throw invalidParam(
          null,
          `Upload ${uploadId} expired at ${new Date(upload.expires_at * 1000).toISOString()} (expires_at ${upload.expires_at}), so you cannot ${action} it. An upload must be completed within ${UPLOAD_TTL_SECONDS} seconds of its creation; create a new upload.`,
        );
      default:
        throw invalidParam(
          null,
          `Upload ${uploadId} is already ${upload.status}, so you cannot ${action} it. Only a pending upload accepts that; create a new upload to send another file.`,
        );
    }
  }

  private listedParts(record: UploadRecord, partIds: readonly string[]): StoredPart[] {
    const positions = new Map<string, number>();
    return partIds.map((partId, index) => {
      const part = record.parts.get(partId);
      if (!part) {
        throw invalidParam(
          "part_ids",
          `part_ids[${index}] is '${partId}', which is not a part of upload ${record.upload.id}. List only ids that addUploadPart returned for this upload.`,
        );
      }
      const first = positions.get(partId);
      if (first !== undefined) {
        throw invalidParam(
          "part_ids",
          `Part '${partId}' is listed twice in part_ids (at ${first} and ${index}). List each part once.`,
        );
      }
      positions.set(partId, index);
      return part;
    });
  }

  private expireIfDue(record: UploadRecord): void {
    const { upload } = record;
    if (upload.status === "pending" && !record.completing && this.now() >= upload.expires_at * 1000) {
      upload.status = "expired";
      this.discardParts(record);
    }
  }

  private discardParts(record: UploadRecord): void {
    this.discard([...record.parts.keys()]);
    record.parts.clear();
  }

  /**
   * Removes part files in the background; {@link settled} waits for them before the directory
   * goes. A failed removal only leaves a stray file in a directory that is about to be removed,
   * so it is not worth failing a request over.
   */
  private discard(partIds: readonly string[]): void {
    for (const partId of partIds) {
      const removal: Promise<void> = rm(this.disk.partPath(partId), { force: true })
        .catch(() => undefined)
        .finally(() => this.removals.delete(removal));
      this.removals.add(removal);
    }
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
