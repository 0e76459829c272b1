/** What `onProgress` receives. */
export interface UploadProgress {
  /** Bytes of the file the server has taken (or is taking) so far; never decreases. */
  bytesSent: number;
  /** The size of the file. */
  totalBytes: number;
  /** Parts the server has accepted, including parts accepted before a resume. */
  partsDone: number;
  /** How many parts the file is cut into. */
  partsTotal: number;
  /** True while a part waits to be sent again after a network or server failure (an outage being ridden out). */
  waiting: boolean;
}

/** What `onStart` receives: the upload that is being sent to, and where it came from. */
export interface UploadStart {
  /** The upload on the server. */
  uploadId: string;
  /** When it expires, in Unix seconds. */
  expiresAt: number;
  /** `created` for a new upload; `resume` when `resume` continued one; `store` when the resume store did. */
  origin: "created" | "resume" | "store";
  /** Parts already accepted before this call (for a resume). */
  partsDone: number;
  /** How many parts the file is cut into. */
  partsTotal: number;
  /** The upload the resume store held for this file that was given up instead of continued. */
  replaced?: ReplacedUpload | undefined;
}

/** An upload a resume store held that `uploadFile` did not continue, and why. */
export interface ReplacedUpload {
  /** The upload that was given up. */
  uploadId: string;
  /**
   * The file changed since (size or mtime), the caller asked for another part size than the
   * upload was cut with, the upload expired, or `resume: false` asked for a new one.
   */
  reason: "file-changed" | "part-size" | "expired" | "fresh";
  /** Whether the server confirmed cancelling it; an expired one needs no cancel. */
  cancelled: boolean;
}

/**
 * Tracks progress so that it never goes backwards: bytes of a part count as they are
 * streamed, and a retry of that part only adds once it gets further than an earlier attempt.
 */
export class ProgressTracker {
  private readonly streamed = new Map<number, number>();
  private bytesSent = 0;
  private partsDone = 0;
  private readonly waitingParts = new Set<number>();
  /** When a byte last moved or a part was last accepted, as `Date.now()` counts. */
  lastProgressAt = Date.now();

  constructor(
    private readonly totalBytes: number,
    private readonly partsTotal: number,
    private readonly report: ((progress: UploadProgress) => void) | undefined,
    private readonly onReportThrew: () => void,
  ) {}

  /** What `report` threw, if it ever did; it is not called again after that. */
  callbackError: { error: unknown } | undefined;

  /** Part `index` has had `bytes` of its data streamed in the current attempt. */
  streaming(index: number, bytes: number): void {
    const before = this.streamed.get(index) ?? 0;
    if (bytes <= before) return;
    this.streamed.set(index, bytes);
    this.bytesSent += bytes - before;
    this.lastProgressAt = Date.now();
    this.waitingParts.delete(index);
    this.emit();
  }

  /** Part `index`, of `size` bytes, was accepted; `quiet` leaves the report for a later `emit`. */
  done(index: number, size: number, quiet = false): void {
    const before = this.streamed.get(index) ?? 0;
    this.streamed.set(index, size);
    this.bytesSent += size - before;
    this.partsDone++;
    this.lastProgressAt = Date.now();
    this.waitingParts.delete(index);
    if (!quiet) this.emit();
  }

  /** Something the upload waited for (the next bytes of a stream) came: the network's patience starts over. */
  touch(): void {
    this.lastProgressAt = Date.now();
  }

  /** Part `index` waits to be sent again; it stops waiting when it gets further than before, or is accepted. */
  waiting(index: number): void {
    this.waitingParts.add(index);
    this.emit();
  }

  /**
   * Reports the figures. A throw from `report` must not escape: it can be called from a file
   * stream's data handler, where it would be an uncaught exception. It is kept and signalled.
   */
  emit(): void {
    if (this.callbackError) return;
    const { bytesSent, totalBytes, partsDone, partsTotal } = this;
    try {
      this.report?.({ bytesSent, totalBytes, partsDone, partsTotal, waiting: this.waitingParts.size > 0 });
    } catch (error) {
      this.callbackError = { error };
      this.onReportThrew();
    }
  }
}
