import type { Lease, ResumeStore } from "./platform.js";
import { isResume, type UploadResume } from "./resume.js";

/** What makes two `uploadFile` calls the same upload: the server, the file, and what the File will be. */
export interface JournalIdentity {
  baseUrl: string;
  /** The source's `identity`: an absolute path, a File's name. */
  file: string;
  purpose: string;
  filename: string;
  mimeType: string;
}

/** An entry as the journal stores it: the state, and who holds it since when. */
type HeldResume = UploadResume & { heldBy?: string; heldAt?: number };

/** A call that saved within this long is taken to be running still, unless its process is known gone. */
const LEASE_MS = 60_000;
/** How often a running call saves again, to keep its lease. */
const REFRESH_MS = 20_000;

/**
 * An upload's entry in a {@link ResumeStore}, held by one `uploadFile` call at a time.
 *
 * Saves are serialized and coalesced: a save asked for while another is being written joins the
 * next write, which takes the state as it is when it begins. A caller that awaits its save knows
 * the store holds its part, so with `concurrency` workers at most `concurrency` accepted parts
 * are ever missing from the store.
 *
 * Each entry names the call that holds it and when it last saved (every 20 s while it runs). A
 * call that finds an entry held by another that still runs (its process is alive or its page
 * holds its lock, as the runtime's {@link Lease} tells; else, it saved within a minute) leaves
 * it alone and uploads without a journal: two uploads of the same file at once never share
 * one upload, nor cancel each other's.
 *
 * The store is a convenience, never a reason to fail: after its first error the journal stops
 * writing and the upload goes on, only without crash safety.
 */
export class Journal {
  private readonly key: string;
  private readonly owner: string;
  private written: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;
  private latest: UploadResume | undefined;
  private refresher: ReturnType<typeof setInterval> | undefined;
  private failed = false;
  private released = false;
  /** The lease, once the runtime holds it: resolves to what lets it go. */
  private holding: Promise<() => void> | undefined;

  constructor(
    private readonly store: ResumeStore,
    identity: JournalIdentity,
    private readonly lease: Lease,
  ) {
    // The server by origin and path only: credentials in a base URL stay out of the store.
    const { origin, pathname } = new URL(identity.baseUrl);
    this.key = JSON.stringify([
      `${origin}${pathname}`,
      identity.file,
      identity.purpose,
      identity.filename,
      identity.mimeType,
    ]);
    this.owner = lease.owner();
  }

  /**
   * The state the store holds for this upload: `resume` when there is one to continue, `busy`
   * when another running call holds it (and it must be left alone).
   */
  async load(): Promise<{ resume?: UploadResume; busy: boolean }> {
    const value = (await this.attempt(() => this.store.get(this.key))) as HeldResume | undefined;
    if (!isResume(value)) return { busy: false };
    const { heldBy, heldAt, ...resume } = value;
    const held = typeof heldBy === "string" && typeof heldAt === "number";
    const busy = held && ((await this.lease.alive(heldBy)) ?? Date.now() - heldAt < LEASE_MS);
    if (busy) this.failed = true; // someone else's: this call writes nothing
    return busy ? { busy } : { resume, busy };
  }

  /** Resolves once the store holds `state` as it is now (or later); never rejects. */
  save(state: UploadResume): Promise<void> {
    if (this.failed) return Promise.resolve();
    this.latest = state;
    if (!this.released && !this.refresher) {
      this.refresher = setInterval(() => this.latest && this.save(this.latest), REFRESH_MS);
      (this.refresher as { unref?: () => void }).unref?.();
    }
    this.next ??= this.written.then(async () => {
      this.next = undefined;
      // The first entry that names this call waits until its lease is held, so that no one
      // reads the name before `alive` can vouch for it. A hold that fails holds nothing.
      if (!this.released) {
        this.holding ??= this.lease.hold?.(this.owner).catch(() => () => {});
        await this.holding;
      }
      const lease = this.released ? {} : { heldBy: this.owner, heldAt: Date.now() };
      const held: HeldResume = { ...structuredClone(state), ...lease };
      return this.attempt(() => this.store.set(this.key, held));
    });
    this.written = this.next;
    return this.next;
  }

  /**
   * Removes the entry of an upload that will not be continued (its file changed, say), so that
   * the upload that replaces it is kept there instead; never rejects.
   */
  async forget(): Promise<void> {
    await this.written;
    if (!this.failed) await this.attempt(() => this.store.delete(this.key));
  }

  /** Removes the entry, after any save in progress, and stops saving; never rejects. */
  async remove(): Promise<void> {
    this.stop();
    await this.written;
    if (!this.failed) await this.attempt(() => this.store.delete(this.key));
    this.failed = true;
  }

  /** Gives the entry up for a later call to continue (in this process too), as it is now; never rejects. */
  async release(): Promise<void> {
    this.stop();
    this.released = true;
    if (this.latest) await this.save(this.latest);
  }

  /** Stops keeping the lease. */
  stop(): void {
    clearInterval(this.refresher);
    this.refresher = undefined;
  }

  /** The call is over: stops keeping the lease, and lets go of it. */
  end(): void {
    this.stop();
    this.holding?.then((letGo) => letGo());
  }

  /** Runs a store call; its first failure turns the journal off. */
  private async attempt<T>(call: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch {
      this.failed = true;
      this.stop();
      return undefined;
    }
  }
}
