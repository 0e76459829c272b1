import { readdir, rm, stat } from "node:fs/promises";
import type { components } from "../../generated/schema.js";
import { inBinaryUnits, MAX_UPLOAD_BYTES, UPLOAD_TTL_SECONDS } from "../limits.js";
import type { CompleteUploadRequest, CreateUploadRequest } from "../types.js";
import { type DataDir, joinFiles, syncDir, syncFile } from "./disk.js";
import { ApiError, invalidParam, type StorageFailure, storageError } from "./errors.js";
import { isId, isPartId, newId } from "./ids.js";
import { Journal, type JournalEvent, readJournal } from "./journal.js";
import type { PartLimits } from "./parts.js";

/** The spec's `Upload`. */
export type Upload = components["schemas"]["Upload"];
/** The spec's `UploadPart`. */
export type UploadPart = components["schemas"]["UploadPart"];
/** The spec's `OpenAIFile`. */
export type OpenAIFile = components["schemas"]["OpenAIFile"];

/** A part as Azure OpenAI answers it: the spec's `UploadPart` plus the id of its block in Azure's storage. */
type AzureUploadPart = UploadPart & { azure_block_id: string };

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
  /** The bytes of `parts`. */
  storedBytes: number;
  /** The bytes received so far of parts still arriving: they count against the upload's size too. */
  arrivingBytes: number;
  /** Set while a completion joins the parts, so nothing changes the parts under its feet. */
  completing: boolean;
  /** Settles when the last state change of this upload (a part's commit, a completion, a cancel) is done. */
  lock: Promise<void>;
  /** Parts recorded for this upload so far (replayed ones included): the last one's block number, in Azure mode. */
  blocks: number;
}

/** What a caller tried to do with an upload, as error messages phrase it. */
export type Action = "add parts to" | "complete" | "cancel";

/** A part on its way in: where to write it, its limits, and how it ends. */
export interface PartReservation {
  /** The new part's id. */
  readonly partId: string;
  /** Where its bytes go. */
  readonly path: string;
  /** What `receivePart` holds the part to: the room left in the upload, the part size limit. */
  readonly limits: PartLimits;
  /**
   * Records the part, whose `bytes` are on disk at `path`, in the journal and then in the
   * upload. Rejects (and removes the file) if the upload stopped taking parts meanwhile, or
   * with a 5xx if the journal cannot be written.
   */
  commit(bytes: number): Promise<UploadPart>;
  /** Gives the room back after a part that never arrived whole; `receivePart` removed its file. */
  release(): void;
}

/** How an {@link UploadStore} holds uploads to their size. */
export interface StoreOptions {
  /** Refuse a part that would take the sum of an upload's parts past its `bytes`; see `LocalServerOptions`. */
  partsWithinBytes?: boolean | undefined;
  /**
   * Make parts as Azure OpenAI does: ids `uplprt-<hex>` rather than `part_<hex>`, and answers
   * with an `azure_block_id`. Parts already in the journal keep the ids they were given.
   */
  azure?: boolean | undefined;
}

/** A compaction at run time is worth its write once the journal has this many lines and twice those it needs. */
const COMPACT_MIN_LINES = 1000;

/**
 * The state of all uploads and files: it enforces the life cycle (pending -> completed,
 * cancelled or expired) and owns every byte written under the data directory.
 *
 * Every change is first written to the data directory's journal (see `journal.ts`) and made
 * in memory only once it is on disk, by the same {@link apply} that replays the journal on
 * start, so a server killed at any point restarts with exactly the changes it acknowledged.
 * Changes of one upload are serialized (its `lock`), so a request checks the upload and
 * commits its change without another request's change in between.
 *
 * Expiry is checked against the injected clock whenever an upload is touched and by
 * {@link sweep}, so a test can jump the clock instead of waiting an hour.
 */
export class UploadStore {
  private readonly uploads = new Map<string, UploadRecord>();
  private readonly files = new Map<string, string>();
  private readonly removals = new Set<Promise<void>>();
  /** Ids of parts being received: their files exist but are in no record yet. */
  private readonly receiving = new Set<string>();
  /** Ids of files being joined by a completion: likewise. */
  private readonly joining = new Set<string>();
  /** Unset only while {@link open} replays the old journal. */
  private journal: Journal | undefined;

  private constructor(
    private readonly disk: DataDir,
    private readonly now: () => number,
    private readonly partsWithinBytes: boolean,
    private readonly azure: boolean,
  ) {}

  /**
   * Loads the state the data directory's journal holds, then sweeps (see {@link sweep}) and
   * compacts the journal: what a restart after a crash needs. A part whose file is missing or
   * of another size than recorded (the directory was tampered with) is dropped, so completing
   * fails with a message instead of joining wrong bytes.
   */
  static async open(disk: DataDir, now: () => number, options: StoreOptions = {}): Promise<UploadStore> {
    const store = new UploadStore(disk, now, options.partsWithinBytes ?? false, options.azure ?? false);
    const contents = await readJournal(disk.root);
    for (const event of contents.events) store.apply(event);
    await store.dropMissingParts();
    store.expireAndFree();
    store.journal = await Journal.open(disk.root, store.snapshot(), contents, disk.durable);
    await store.removeOrphans();
    await store.settled();
    return store;
  }

  /** Opens a new pending upload that expires {@link UPLOAD_TTL_SECONDS} after now. */
  async create(request: CreateUploadRequest): Promise<Upload> {
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
    await this.commit(
      { type: "created", upload, request },
      { action: "record the new upload in its journal", retry: "create the upload again" },
    );
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
   * Checks that the upload takes parts and has room for one, and picks the id and path of a
   * new part. The part's bytes count against the upload's room as they arrive, so parts sent
   * in parallel cannot together pass its `bytes`; nothing is recorded until the reservation's
   * `commit`, so a part that never fully arrives leaves no trace.
   */
  reservePart(uploadId: string, maxPartBytes: number): PartReservation {
    const record = this.open(uploadId, "add parts to");
    if (this.room(record) <= 0) throw this.noRoom(record, record.arrivingBytes);
    const partId = newId(this.azure ? "uplprt-" : "part_");
    this.receiving.add(partId);
    let mine = 0;
    let counting = true;
    // The bytes of this part stop counting once it is stored (they move to storedBytes) or refused.
    const uncount = () => {
      if (counting) record.arrivingBytes -= mine;
      counting = false;
    };
    const release = () => {
      uncount();
      this.receiving.delete(partId);
    };
    return {
      partId,
      path: this.disk.partPath(partId),
      limits: {
        maxPartBytes,
        // One part never holds more than the whole file, whichever rule holds the sum.
        room: Math.min(this.room(record), record.upload.bytes),
        dataDir: this.disk.root,
        durable: this.disk.durable,
        noRoom: () => this.noRoom(record, record.arrivingBytes - (counting ? mine : 0)),
        onChunk: (bytes) => {
          if (!counting) return undefined;
          mine += bytes;
          record.arrivingBytes += bytes;
          if (this.room(record) >= 0) return undefined;
          uncount();
          return this.noRoom(record, record.arrivingBytes);
        },
      },
      commit: (bytes) => this.commitPart(uploadId, partId, bytes, release),
      release,
    };
  }

  /**
   * Joins the listed parts, in the listed order, into the upload's file. Each id must be a
   * part of this upload and appear once, the parts must add up to the upload's `bytes`, and
   * `md5`, when given, must match the joined bytes (hex, any case). On success the upload is
   * completed and every part, listed or not, is discarded; on failure (a storage error
   * included: the joined file is then removed) it stays pending so the client can try again.
   */
  async complete(uploadId: string, request: CompleteUploadRequest): Promise<Upload> {
    const record = this.open(uploadId, "complete");
    return this.exclusive(record, async () => {
      this.open(uploadId, "complete");
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
      this.joining.add(fileId);
      try {
        const sources = parts.map((part) => this.disk.partPath(part.id));
        const digest = await joinFiles(sources, path, request.md5 !== undefined).catch(async (error: unknown) => {
          const gone = (error as NodeJS.ErrnoException).code === "ENOENT" ? await this.missingPart(parts) : undefined;
          if (gone) {
            throw invalidParam(
              "part_ids",
              `part_ids[${gone.index}] is '${gone.id}', a part of upload ${uploadId} no longer on the server's disk (${this.disk.partsDir}). Send those bytes again as a new part and list its id instead.`,
            );
          }
          throw storageError(error, {
            action: "join the parts into the file",
            dir: this.disk.root,
            retry: "complete the upload again",
          });
        });
        if (request.md5 !== undefined && digest !== request.md5.toLowerCase()) {
          await rm(path, { force: true });
          throw invalidParam(
            "md5",
            `The md5 you sent (${request.md5}) does not match the MD5 of the joined parts (${digest}). Check that part_ids lists the right parts in file order, and send the MD5 of the whole file as 32 hex digits.`,
          );
        }
        // On the disk, name included, before the journal names it.
        if (this.disk.durable) {
          await syncFile(path)
            .then(() => syncDir(this.disk.filesDir))
            .catch(async (error: unknown) => {
              await rm(path, { force: true });
              throw storageError(error, {
                action: "write the joined file",
                dir: this.disk.root,
                retry: "complete the upload again",
              });
            });
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
        try {
          await this.commit(
            { type: "completed", upload_id: uploadId, file },
            { action: "record the completion in its journal", retry: "complete the upload again" },
          );
        } catch (error) {
          await rm(path, { force: true });
          throw error;
        }
      } finally {
        record.completing = false;
        this.joining.delete(fileId);
      }
      return structuredClone(record.upload);
    });
  }

  /** Cancels a pending upload and discards its parts. */
  async cancel(uploadId: string): Promise<Upload> {
    const record = this.open(uploadId, "cancel");
    return this.exclusive(record, async () => {
      this.open(uploadId, "cancel");
      await this.commit(
        { type: "cancelled", upload_id: uploadId },
        { action: "record the cancellation in its journal", retry: "cancel the upload again" },
      );
      // Expired by the clock while the line was written: that, not a cancel, is what happened.
      if (record.upload.status !== "cancelled") this.open(uploadId, "cancel");
      return structuredClone(record.upload);
    });
  }

  /** A copy of the upload and its stored parts, or undefined for an unknown or freed id. */
  inspect(uploadId: string): UploadSnapshot | undefined {
    const record = this.uploads.get(uploadId);
    if (!record) return undefined;
    this.expireIfDue(record);
    return { upload: structuredClone(record.upload), parts: [...record.parts.values()].map((part) => ({ ...part })) };
  }

  /** Every upload the store holds, oldest first, as `inspect` shows each. */
  list(): UploadSnapshot[] {
    return [...this.uploads.keys()].map((id) => this.inspect(id) as UploadSnapshot);
  }

  /** Where the bytes of a completed upload's file are, or undefined for an unknown file id. */
  filePath(fileId: string): string | undefined {
    return this.files.get(fileId);
  }

  /**
   * Expires the uploads that are due, with their parts; frees (forgets) cancelled and expired
   * uploads whose `expires_at` has passed, so a long-running server does not keep every
   * upload ever abandoned; removes part files that belong to no upload and are not being
   * received (a part cut off by a crash, or stored after its upload closed), and assembled
   * files no completion recorded; and compacts the journal once most of its lines are
   * superseded. A failed removal or compaction is tried again at the next sweep.
   */
  async sweep(): Promise<void> {
    this.expireAndFree();
    await this.removeOrphans();
    const live = [...this.uploads.values()].reduce((lines, record) => lines + 1 + record.parts.size, 0);
    const journal = this.journal as Journal;
    if (journal.lines > Math.max(COMPACT_MIN_LINES, 2 * live)) {
      await journal.compact(() => this.snapshot()).catch(() => undefined);
    }
    await this.settled();
  }

  /** Resolves once every discarded part is gone from disk. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.removals);
  }

  /** Writes what is queued for the journal and closes it, then waits for removals. */
  async close(): Promise<void> {
    await this.journal?.close();
    await this.settled();
  }

  /**
   * Makes the change an event records. The one place state changes, both when the journal is
   * replayed and, once an event is on disk, while the server runs; an event that no longer
   * applies (a part or a cancel for an upload that closed meanwhile) changes nothing, in both.
   */
  private apply(event: JournalEvent): void {
    if (event.type === "created") {
      const upload = structuredClone(event.upload);
      this.uploads.set(upload.id, {
        upload,
        request: structuredClone(event.request),
        parts: new Map(),
        storedBytes: 0,
        arrivingBytes: 0,
        completing: false,
        lock: Promise.resolve(),
        blocks: 0,
      });
      if (upload.status === "completed" && upload.file) {
        this.files.set(upload.file.id, this.disk.filePath(upload.file.id));
      }
      return;
    }
    const record = this.uploads.get(event.upload_id);
    if (!record) return;
    const { upload } = record;
    if (event.type === "freed") {
      if (upload.status === "cancelled" || upload.status === "expired") this.uploads.delete(upload.id);
      return;
    }
    if (upload.status !== "pending") return;
    switch (event.type) {
      case "part":
        record.parts.set(event.part.id, { id: event.part.id, bytes: event.part.bytes });
        record.storedBytes += event.part.bytes;
        record.blocks += 1;
        return;
      case "completed":
        upload.status = "completed";
        upload.file = structuredClone(event.file);
        this.files.set(event.file.id, this.disk.filePath(event.file.id));
        this.discardParts(record);
        return;
      case "cancelled":
      case "expired":
        upload.status = event.type;
        this.discardParts(record);
        return;
    }
  }

  /** Journals `event` and applies it, then runs `after`; a journal failure is the 5xx that says so. */
  private async commit(event: JournalEvent, failure: Omit<StorageFailure, "dir">, after?: () => void): Promise<void> {
    try {
      await (this.journal as Journal).append(event, () => {
        this.apply(event);
        after?.();
      });
    } catch (error) {
      throw storageError(error, { ...failure, dir: this.disk.root });
    }
  }

  /**
   * Applies an event derived from the clock (an expiry, a freeing) at once and journals it
   * when it can: losing that line loses nothing, since a replay derives it again.
   */
  private hint(event: JournalEvent): void {
    this.apply(event);
    this.journal?.append(event).catch(() => undefined);
  }

  /** Runs `change` once the upload's earlier changes are done, and holds later ones until it is. */
  private async exclusive<T>(record: UploadRecord, change: () => Promise<T>): Promise<T> {
    const previous = record.lock;
    let done!: () => void;
    record.lock = new Promise((resolve) => {
      done = resolve;
    });
    await previous;
    try {
      return await change();
    } finally {
      done();
    }
  }

  private async commitPart(uploadId: string, partId: string, bytes: number, release: () => void): Promise<UploadPart> {
    try {
      const record = this.open(uploadId, "add parts to");
      return await this.exclusive(record, async () => {
        this.open(uploadId, "add parts to");
        // The part's name on the disk before the journal names it (its bytes were flushed already).
        if (this.disk.durable) await syncDir(this.disk.partsDir);
        await this.commit(
          { type: "part", upload_id: uploadId, part: { id: partId, bytes } },
          { action: "record the part in its journal", retry: "send the part again" },
          release,
        );
        // Expired by the clock while the line was written: the part was not taken.
        if (!record.parts.has(partId)) this.open(uploadId, "add parts to");
        const part: UploadPart = { id: partId, object: "upload.part", created_at: this.seconds(), upload_id: uploadId };
        if (!this.azure) return part;
        return { ...part, azure_block_id: azureBlockId(record.blocks) } satisfies AzureUploadPart;
      });
    } catch (error) {
      release();
      this.discard([partId]);
      throw error;
    }
  }

  /** The most bytes the parts of this upload may add up to. */
  private capacity(record: UploadRecord): number {
    return this.partsWithinBytes ? Math.min(record.upload.bytes, MAX_UPLOAD_BYTES) : MAX_UPLOAD_BYTES;
  }

  /** Bytes the upload's parts can still grow by: its {@link capacity} less its stored and arriving parts. */
  private room(record: UploadRecord): number {
    return this.capacity(record) - record.storedBytes - record.arrivingBytes;
  }

  /** The 400 for a part that does not fit, with `others` bytes of other parts of the upload arriving. */
  private noRoom(record: UploadRecord, others: number): ApiError {
    const { id, bytes } = record.upload;
    const capacity = this.capacity(record);
    const left = Math.max(0, capacity - record.storedBytes - others);
    if (left > bytes) {
      return invalidParam(
        "data",
        `The part is larger than upload ${id}, which was created with bytes=${bytes}: one part cannot hold more than the whole file. Send at most ${bytes} bytes in a part.`,
      );
    }
    const size =
      capacity < MAX_UPLOAD_BYTES || bytes === MAX_UPLOAD_BYTES
        ? `${capacity} bytes it was created with`
        : `${MAX_UPLOAD_BYTES} bytes (${inBinaryUnits(MAX_UPLOAD_BYTES)}) an upload holds at most`;
    const held = `its stored parts hold ${record.storedBytes} bytes${others > 0 ? ` and parts still arriving ${others} more` : ""}`;
    if (left === 0) {
      return invalidParam(
        "data",
        `Upload ${id} has no room for another part: ${held}, all of the ${size}. Complete it listing its parts; to send different bytes, create a new upload.`,
      );
    }
    return invalidParam(
      "data",
      `The part does not fit in upload ${id}: only ${left} of the ${size} are left (${held}). Send at most ${left} bytes in this part.`,
    );
  }

  /** The first of `parts` whose file is gone (removed behind the server's back), with its place in the list. */
  private async missingPart(parts: readonly StoredPart[]): Promise<{ id: string; index: number } | undefined> {
    const present = await Promise.all(
      parts.map((part) =>
        stat(this.disk.partPath(part.id)).then(
          () => true,
          () => false,
        ),
      ),
    );
    const index = present.indexOf(false);
    const part = parts[index];
    return part ? { id: part.id, index } : undefined;
  }

  /** Drops parts whose files are missing or of another size than recorded. */
  private async dropMissingParts(): Promise<void> {
    const checks = [...this.uploads.values()].flatMap((record) =>
      [...record.parts.values()].map(async (part) => {
        const size = await stat(this.disk.partPath(part.id)).then(
          (stats) => stats.size,
          () => undefined,
        );
        if (size === part.bytes) return;
        record.parts.delete(part.id);
        record.storedBytes -= part.bytes;
        this.discard([part.id]);
      }),
    );
    await Promise.all(checks);
  }

  private expireAndFree(): void {
    const now = this.now();
    for (const record of [...this.uploads.values()]) {
      this.expireIfDue(record);
      const { id, status, expires_at } = record.upload;
      // An hour past its expiry: until then the API's own answer ("expired", "already cancelled") stands.
      if ((status === "cancelled" || status === "expired") && now >= (expires_at + UPLOAD_TTL_SECONDS) * 1000) {
        this.hint({ type: "freed", upload_id: id });
      }
    }
  }

  /** Removes part and assembled files that no record names and nothing is writing. */
  private async removeOrphans(): Promise<void> {
    const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
    const [partNames, fileNames] = await Promise.all([list(this.disk.partsDir), list(this.disk.filesDir)]);
    // Decided after the listing, against the state as it is now: a part listed while it was
    // arriving and recorded since is in a record by now, one still arriving in `receiving`.
    const recorded = new Set([...this.uploads.values()].flatMap((record) => [...record.parts.keys()]));
    const orphans = [
      ...partNames
        .filter((name) => isPartId(name) && !recorded.has(name) && !this.receiving.has(name))
        .map((name) => this.disk.partPath(name)),
      ...fileNames
        .filter((name) => isId("file-", name) && !this.files.has(name) && !this.joining.has(name))
        .map((name) => this.disk.filePath(name)),
    ];
    await Promise.allSettled(orphans.map((path) => this.remove(path)));
  }

  /** The journal that rebuilds the current state: one `created` line per upload (with its status), one `part` line per part. */
  private snapshot(): JournalEvent[] {
    return [...this.uploads.values()].flatMap((record): JournalEvent[] => [
      { type: "created", upload: record.upload, request: record.request },
      ...[...record.parts.values()].map((part): JournalEvent => ({ type: "part", upload_id: record.upload.id, part })),
    ]);
  }

  /** The upload, if it exists and is pending; otherwise the error that explains why not. */
  private open(uploadId: string, action: Action): UploadRecord {
    const record = this.uploads.get(uploadId);
    if (!record) {
      throw new ApiError(
        404,
        `No such upload: '${uploadId}'. Use the id that createUpload returned (it starts with 'upload_'); a cancelled or expired upload is forgotten an hour after its expires_at.`,
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
      this.hint({ type: "expired", upload_id: upload.id });
    }
  }

  private discardParts(record: UploadRecord): void {
    this.discard([...record.parts.keys()]);
    record.parts.clear();
    record.storedBytes = 0;
  }

  /**
   * Removes part files in the background; {@link settled} waits for them before the directory
   * goes. A failed removal only leaves a stray file in a directory that is about to be removed,
   * so it is not worth failing a request over.
   */
  private discard(partIds: readonly string[]): void {
    for (const partId of partIds) void this.remove(this.disk.partPath(partId));
  }

  private remove(path: string): Promise<void> {
    const removal: Promise<void> = rm(path, { force: true })
      .catch(() => undefined)
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
    return removal;
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/**
 * The `azure_block_id` of an upload's `n`th part, as Azure OpenAI answers: the base64 of a
 * block name. Azure's storage wants every block id of a blob the same length, hence the
 * zero-padded number (an upload has at most 10,000 parts).
 */
function azureBlockId(n: number): string {
  return Buffer.from(`block-${String(n).padStart(6, "0")}`).toString("base64");
}
