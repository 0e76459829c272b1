import { type FileHandle, open, readFile, rename, rm, truncate } from "node:fs/promises";
import { join } from "node:path";
import type { CreateUploadRequest } from "../types.js";
import { syncDir } from "./disk.js";
import { isId, isPartId } from "./ids.js";
import type { OpenAIFile, StoredPart, Upload } from "./store.js";

/** The journal's name in the data directory. */
export const JOURNAL_FILE = "journal.jsonl";
/** Where a compaction writes the new journal before renaming it over the old one. */
const COMPACTING_FILE = `${JOURNAL_FILE}.tmp`;

/**
 * One line of the journal: one change of the server's state. Replaying the lines in order with
 * `UploadStore`'s `apply` rebuilds the state; the running server changes its state with the
 * same `apply`, once the line is on disk, so the two cannot disagree. `expired` and `freed`
 * are hints: a replay would derive them from the clock anyway.
 */
export type JournalEvent =
  /** An upload was created; a compacted journal also writes a closed upload this way, with its status. */
  | { type: "created"; upload: Upload; request: CreateUploadRequest }
  /**
   * A part's bytes are on disk, under `parts/<part.id>`. Ignored unless the upload is pending.
   * Its id is `part_…`, or `uplprt-…` from a server in Azure mode: kept as given either way.
   */
  | { type: "part"; upload_id: string; part: StoredPart }
  /** The upload was completed into `files/<file.id>`; its parts are discarded. */
  | { type: "completed"; upload_id: string; file: OpenAIFile }
  /** The upload was cancelled; its parts are discarded. */
  | { type: "cancelled"; upload_id: string }
  /** The upload's hour ran out; its parts are discarded. */
  | { type: "expired"; upload_id: string }
  /** A cancelled or expired upload was forgotten, an hour after its `expires_at`. */
  | { type: "freed"; upload_id: string };

const EVENT_TYPES: ReadonlySet<string> = new Set(["created", "part", "completed", "cancelled", "expired", "freed"]);

/** What a journal on disk holds. */
export interface JournalContents {
  /** Its events, oldest first. */
  events: JournalEvent[];
  /** The bytes up to the end of its last whole line: a torn last line from a crash lies beyond. */
  validLength: number;
}

/**
 * Reads `<dir>/journal.jsonl`; none is an empty journal. A line counts once its newline is
 * written: the last line without one is what a crash cut short, never acknowledged to a client,
 * and is ignored. A bad line before it is corruption, not a crash, and is an Error naming it
 * rather than state silently lost.
 */
export async function readJournal(dir: string): Promise<JournalContents> {
  const path = join(dir, JOURNAL_FILE);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { events: [], validLength: 0 };
    throw error;
  }
  const validLength = data.lastIndexOf(0x0a) + 1;
  const lines = data.subarray(0, validLength).toString("utf8").split("\n");
  lines.pop(); // the empty string after the last newline
  const events = lines.map((line, index) => {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      throw corrupt(path, index, (error as Error).message);
    }
    const problem = eventProblem(event);
    if (problem) throw corrupt(path, index, problem);
    return event as JournalEvent;
  });
  return { events, validLength };
}

/**
 * What makes `value` not a journal event, checked before anything acts on it: the ids name
 * files the server removes, so one that is not an id of its own (`../x`) must never pass.
 */
function eventProblem(value: unknown): string | undefined {
  const event = value as Partial<Record<string, unknown>> | null;
  const type = event?.type;
  if (typeof type !== "string" || !EVENT_TYPES.has(type)) return "not a journal event";
  const id = (prefix: "upload_" | "file-", candidate: unknown) =>
    typeof candidate === "string" && isId(prefix, candidate);
  const upload = event?.upload as { id?: unknown; bytes?: unknown; expires_at?: unknown } | undefined;
  const part = event?.part as { id?: unknown; bytes?: unknown } | undefined;
  const file = event?.file as { id?: unknown } | undefined;
  const fine =
    type === "created"
      ? id("upload_", upload?.id) &&
        Number.isSafeInteger(upload?.bytes) &&
        Number.isSafeInteger(upload?.expires_at) &&
        typeof event?.request === "object"
      : id("upload_", event?.upload_id) &&
        (type !== "part" || (typeof part?.id === "string" && isPartId(part.id) && Number.isSafeInteger(part?.bytes))) &&
        (type !== "completed" || id("file-", file?.id));
  return fine ? undefined : `a ${type} event with missing or malformed ids or sizes`;
}

function corrupt(path: string, index: number, problem: string): Error {
  return new Error(
    `The local server's journal ${path} is corrupt at line ${index + 1} (${problem}). Move the data directory aside to start empty, or repair that line.`,
  );
}

interface Append {
  kind: "append";
  line: string;
  apply: (() => void) | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

interface Job {
  kind: "job";
  run(): Promise<void>;
}

/**
 * The append-only journal of a data directory, one JSON event per line. Appends are written
 * in order by one writer; those queued while a write is under way go out together in the next
 * write (group commit), each write followed by one fdatasync, so a server under load pays one
 * disk flush per batch rather than per request. An append resolves only once its line is on
 * disk, after its `apply` ran: a client is answered after its change is durable.
 *
 * A failed write (a full disk, say) is rolled back by truncating the file to its last whole
 * line, so the journal never holds a torn line in its middle; if even that fails, the journal
 * refuses every further append until the server is restarted (which repairs it on start).
 */
export class Journal {
  private readonly queue: (Append | Job)[] = [];
  private draining = false;
  private broken: Error | undefined;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private size: number,
    /** Lines in the file now: what a compaction would save is measured against it. */
    private lineCount: number,
    /** Whether each write is flushed to the disk before it counts (see `DataDir.durable`). */
    private readonly durable: boolean,
  ) {}

  /**
   * Opens the journal of `dir` for appending, first replacing it with `snapshot` (the state the
   * old one replayed to, without freed records or superseded events): see {@link compact}.
   * When the snapshot cannot be written (a full disk), the old journal is kept, cut back to
   * `validLength` so that its torn last line, if any, is not followed by new ones.
   */
  static async open(
    dir: string,
    snapshot: readonly JournalEvent[],
    kept: JournalContents,
    durable: boolean,
  ): Promise<Journal> {
    const path = join(dir, JOURNAL_FILE);
    let size: number;
    let lines: number;
    try {
      size = await writeSnapshot(dir, snapshot, durable);
      lines = snapshot.length;
    } catch {
      await truncate(path, kept.validLength).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
      size = kept.validLength;
      lines = kept.events.length;
    }
    return new Journal(dir, await open(path, "a"), size, lines, durable);
  }

  /** Lines in the journal file now. */
  get lines(): number {
    return this.lineCount;
  }

  /**
   * Appends `event`; resolves once it is on disk and `apply` (the change it records) has run,
   * rejects with the write's error (nothing applied, nothing left in the file) otherwise.
   */
  append(event: JournalEvent, apply?: () => void): Promise<void> {
    if (this.closed)
      return Promise.reject(new Error("The local server is closing; its journal takes no more changes."));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: "append", line: `${JSON.stringify(event)}\n`, apply, resolve, reject });
      this.drain();
    });
  }

  /**
   * Replaces the journal with `snapshot()`, taken once every earlier append is on disk and
   * applied: written to a temp file, fsync'd, renamed over the journal and the directory
   * fsync'd, so a crash at any point leaves either the old journal or the new one, whole.
   * Rejects, keeping the old journal, if that fails.
   */
  compact(snapshot: () => readonly JournalEvent[]): Promise<void> {
    return this.enqueueJob(async () => {
      const events = snapshot();
      const size = await writeSnapshot(this.dir, events, this.durable);
      const old = this.handle;
      // The old handle points at the replaced file now: appends must go to the new one, or
      // nowhere if it cannot be opened.
      try {
        this.handle = await open(join(this.dir, JOURNAL_FILE), "a");
      } catch (error) {
        this.broken = new Error(
          `The local server could not reopen its journal in ${this.dir} after compacting it (${(error as Error).message}); restart the server.`,
          { cause: error },
        );
        throw error;
      }
      this.size = size;
      this.lineCount = events.length;
      await old.close().catch(() => undefined);
    });
  }

  /** Waits for every queued append, then closes the file; later appends are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.enqueueJob(async () => undefined).catch(() => undefined);
    this.closed = true;
    await this.handle.close().catch(() => undefined);
  }

  private enqueueJob(run: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: "job", run: () => run().then(resolve, reject) });
      this.drain();
    });
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drainLoop().finally(() => {
      this.draining = false;
    });
  }

  private async drainLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const next = this.queue[0] as Append | Job;
      if (next.kind === "job") {
        this.queue.shift();
        await next.run().catch(() => undefined);
        continue;
      }
      const end = this.queue.findIndex((entry) => entry.kind === "job");
      const batch = this.queue.splice(0, end === -1 ? this.queue.length : end) as Append[];
      const data = Buffer.from(batch.map((entry) => entry.line).join(""));
      try {
        if (this.broken) throw this.broken;
        await writeAll(this.handle, data);
        if (this.durable) await this.handle.datasync();
      } catch (error) {
        await this.rollBack(error);
        for (const entry of batch) entry.reject(error);
        continue;
      }
      this.size += data.length;
      this.lineCount += batch.length;
      for (const entry of batch) {
        try {
          entry.apply?.();
          entry.resolve();
        } catch (error) {
          entry.reject(error);
        }
      }
    }
  }

  /** Cuts off whatever part of a failed write reached the file. */
  private async rollBack(cause: unknown): Promise<void> {
    if (this.broken) return;
    try {
      await this.handle.truncate(this.size);
    } catch {
      this.broken = new Error(
        `The local server's journal in ${this.dir} could not be repaired after a failed write (${(cause as Error)?.message ?? cause}); restart the server, which repairs it.`,
        { cause },
      );
    }
  }
}

/** Writes all of `data`: one write call may take only part of it. */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Writes `events` as the journal of `dir`, atomically (temp file, fsync when `durable`, rename,
 * directory fsync when `durable`); resolves with its size.
 */
async function writeSnapshot(dir: string, events: readonly JournalEvent[], durable: boolean): Promise<number> {
  const temp = join(dir, COMPACTING_FILE);
  const data = Buffer.from(events.map((event) => `${JSON.stringify(event)}\n`).join(""));
  try {
    const handle = await open(temp, "w");
    try {
      await writeAll(handle, data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, JOURNAL_FILE));
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  if (durable) await syncDir(dir);
  return data.length;
}
