import type { ResumeStore } from "./platform.js";
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

/**
 * An upload's entry in a {@link ResumeStore}. Saves are serialized and coalesced: a save asked
 * for while another is being written joins the next write, which takes the state as it is when
 * it begins. A caller that awaits its save knows the store holds its part, so with `concurrency`
 * workers at most `concurrency` accepted parts are ever missing from the store.
 */
export class Journal {
  /** The store's key for this upload. */
  readonly key: string;
  private written: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;

  constructor(
    private readonly store: ResumeStore,
    identity: JournalIdentity,
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
  }

  /** The state the store holds for this upload, if it holds a valid one. */
  async load(): Promise<UploadResume | undefined> {
    const value = await this.store.get(this.key);
    return isResume(value) ? value : undefined;
  }

  /** Resolves once the store holds `state` as it is now (or later). */
  save(state: UploadResume): Promise<void> {
    this.next ??= this.written.then(() => {
      this.next = undefined;
      return this.store.set(this.key, structuredClone(state));
    });
    const saved = this.next;
    this.written = saved.catch(() => undefined);
    return saved;
  }

  /** Removes the entry, after any save in progress. */
  async remove(): Promise<void> {
    await this.written;
    await this.store.delete(this.key);
  }
}
