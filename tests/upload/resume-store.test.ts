import { mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  fileResumeStore,
  InvalidArgumentError,
  type ResumeStore,
  stateDirectory,
  UploadFileError,
  type UploadResume,
  type UploadStart,
  uploadFile,
  webStorageResumeStore,
} from "../../src/index.js";
import { Journal } from "../../src/upload/journal.js";
import type { Lease } from "../../src/upload/platform.js";
import { rejection } from "../support/rejection.js";
import { tempDir } from "../support/temp.js";
import { clientFor, randomFile, server, storedSha256 } from "./support.js";

// uploadFile's journal: what a later call (or a later process) finds to continue an upload.

const KiB = 1024;
const dir = await tempDir("resume-store-");
// A process of this machine that cannot exist: pids stay below 2^22 on Linux.
const DEAD_OWNER = `${hostname()}:${2 ** 22}:gone`;

/** A store in a Map, recording every write, as a test double of the interface callers implement. */
function memoryStore() {
  const entries = new Map<string, UploadResume>();
  const writes: UploadResume[] = [];
  const store: ResumeStore = {
    get: (key) => entries.get(key),
    set: async (key, resume) => {
      writes.push(structuredClone(resume));
      entries.set(key, structuredClone(resume));
    },
    delete: (key) => void entries.delete(key),
  };
  return { store, entries, writes };
}

const OPTIONS = { purpose: "batch", partSize: KiB, concurrency: 1, mimeType: "application/octet-stream" } as const;

describe("uploadFile with a resumeStore", () => {
  it("records the upload when created and each part as accepted, and forgets it once completed", async () => {
    const local = await server();
    const file = await randomFile(3 * KiB);
    const { store, entries, writes } = memoryStore();
    const starts: UploadStart[] = [];
    const upload = await uploadFile(clientFor(local.url), {
      ...OPTIONS,
      file: file.path,
      resumeStore: store,
      onStart: (start) => starts.push(start),
    });
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
    expect(starts).toEqual([
      { uploadId: upload.id, expiresAt: upload.expires_at, origin: "created", partsDone: 0, partsTotal: 3 },
    ]);
    // Created (no part yet), then one write per accepted part, in order, then one as it completes.
    expect(writes.map((w) => w.partIds.filter(Boolean).length)).toEqual([0, 1, 2, 3, 3]);
    expect(writes.map((w) => w.completing ?? false)).toEqual([false, false, false, false, true]);
    expect(writes.every((w) => w.uploadId === upload.id && w.bytes === 3 * KiB && w.partSize === KiB)).toBe(true);
    expect(entries.size).toBe(0);
  });

  it("a later call for the same file continues the upload the store holds, sending only what is missing", async () => {
    // Part requests refused with a 400 (not retried) stop the first calls with the upload half sent.
    const local = await server({
      faults: { seed: 2, errorRate: 0.4, errorStatuses: [400], operations: ["addUploadPart"] },
    });
    const file = await randomFile(10 * KiB);
    const { store, entries } = memoryStore();
    const client = clientFor(local.url);
    const origins: UploadStart["origin"][] = [];
    for (let round = 0; round < 30; round++) {
      const before = local.stats.byOperation.addUploadPart;
      const held = [...entries.values()][0];
      try {
        const upload = await uploadFile(client, {
          ...OPTIONS,
          file: file.path,
          resumeStore: store,
          onStart: (start) => origins.push(start.origin),
        });
        expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
        expect(local.stats.byOperation.createUpload).toBe(1);
        expect(origins[0]).toBe("created");
        expect(origins.slice(1).every((origin) => origin === "store")).toBe(true);
        expect(origins.length).toBeGreaterThan(1);
        expect(entries.size).toBe(0);
        return;
      } catch (error) {
        expect(error).toBeInstanceOf(UploadFileError);
        expect((error as UploadFileError).resumable).toBe(true);
        // The store holds what the error holds (given up by this call): the next call needs no token.
        expect([...entries.values()]).toEqual([(error as UploadFileError).resume]);
        const sent = local.stats.byOperation.addUploadPart - before;
        const missing = held ? held.partIds.filter((id) => !id).length : 10;
        expect(sent).toBeLessThanOrEqual(missing);
      }
    }
    throw new Error("the upload never completed");
  });

  /**
   * A first call that gets two parts accepted and then hangs on the third, as a process killed
   * there would leave things: its upload pending on `local`, in `store` with two parts, held by
   * a process of this machine that no longer runs.
   */
  async function interrupted({ store, entries }: ReturnType<typeof memoryStore>, path: string) {
    const local = await server();
    let parts = 0;
    const client = clientFor(local.url, "fetch", {
      fetch: async (request) => {
        if (request.url.endsWith("/parts") && ++parts === 3) return new Promise<Response>(() => {});
        return fetch(request);
      },
    });
    uploadFile(client, { ...OPTIONS, file: path, resumeStore: store }).catch(() => {});
    await expect.poll(() => parts, { timeout: 10_000 }).toBe(3);
    for (const [key, value] of entries) entries.set(key, { ...value, heldBy: DEAD_OWNER } as UploadResume);
    return { local };
  }

  it("starts a new upload, and cancels the stored one, when the file changed, expired, or resume is false", async () => {
    const file = await randomFile(6 * KiB);
    for (const reason of ["file-changed", "part-size", "expired", "fresh"] as const) {
      const memory = memoryStore();
      const { store, entries, writes } = memory;
      // The first call is left hanging, as a killed process would leave it; its upload is in the store.
      const { local } = await interrupted(memory, file.path);
      const [held] = [...entries.values()];
      expect(held?.partIds.filter(Boolean)).toHaveLength(2);
      if (reason === "file-changed") {
        const later = new Date((await stat(file.path)).mtimeMs + 1000);
        await utimes(file.path, later, later);
      }
      if (reason === "expired") for (const [key, value] of entries) entries.set(key, { ...value, expiresAt: 1 });
      const starts: UploadStart[] = [];
      const upload = await uploadFile(clientFor(local.url), {
        ...OPTIONS,
        file: file.path,
        resumeStore: store,
        ...(reason === "fresh" ? { resume: false } : {}),
        ...(reason === "part-size" ? { partSize: 2 * KiB } : {}),
        onStart: (start) => starts.push(start),
      });
      expect(upload.id).not.toBe(held?.uploadId);
      expect(starts[0]).toMatchObject({
        origin: "created",
        replaced: { uploadId: held?.uploadId, reason, cancelled: reason !== "expired" },
      });
      expect(local.getUpload(held?.uploadId ?? "")?.upload.status).toBe(reason === "expired" ? "pending" : "cancelled");
      // The upload that replaced it is kept as it goes, as any other: a crash now could resume it.
      expect(writes.filter((write) => write.uploadId === upload.id).length).toBeGreaterThan(1);
      expect(entries.size).toBe(0);
    }
  });

  it("continues the stored upload when its part size is asked for again, or none is", async () => {
    const file = await randomFile(6 * KiB);
    for (const partSize of [KiB, undefined]) {
      const memory = memoryStore();
      const { local } = await interrupted(memory, file.path);
      const starts: UploadStart[] = [];
      const upload = await uploadFile(clientFor(local.url), {
        ...OPTIONS,
        partSize,
        file: file.path,
        resumeStore: memory.store,
        onStart: (start) => starts.push(start),
      });
      expect(starts).toMatchObject([{ origin: "store", partsDone: 2, partsTotal: 6 }]);
      expect(local.stats.byOperation.createUpload).toBe(1);
      expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
    }
  });

  it("leaves an entry alone that a running call holds: two uploads at once never share one", async () => {
    const file = await randomFile(6 * KiB);
    const memory = memoryStore();
    const { local } = await interrupted(memory, file.path);
    // As if the first call still ran: held by this very process.
    for (const [key, value] of memory.entries) {
      memory.entries.set(key, { ...value, heldBy: `${hostname()}:${process.pid}:other` } as UploadResume);
    }
    const [held] = [...memory.entries.values()];
    const starts: UploadStart[] = [];
    const upload = await uploadFile(clientFor(local.url), {
      ...OPTIONS,
      file: file.path,
      resumeStore: memory.store,
      onStart: (start) => starts.push(start),
    });
    expect(starts.map(({ origin, replaced }) => [origin, replaced])).toEqual([["created", undefined]]);
    expect(upload.id).not.toBe(held?.uploadId);
    // Neither cancelled nor overwritten: the running call's entry is as it was.
    expect(local.getUpload(held?.uploadId ?? "")?.upload.status).toBe("pending");
    expect([...memory.entries.values()]).toEqual([held]);
  });

  it("a stored upload the server no longer has: not resumable, says start again, and is forgotten", async () => {
    const file = await randomFile(6 * KiB);
    const memory = memoryStore();
    const { store, entries } = memory;
    const { local } = await interrupted(memory, file.path);
    // The server restarts on the same address without its state: it has never heard of the upload.
    const port = Number(new URL(local.url).port);
    await local.close();
    const other = await server({ port });
    const error = await rejection(
      uploadFile(clientFor(other.url), { ...OPTIONS, file: file.path, resumeStore: store }),
      UploadFileError,
    );
    expect(error).toMatchObject({ resumable: false, completionUnknown: false });
    expect(error.message).toMatch(/404.*The server no longer has it: upload the file again, without `resume`\./s);
    expect(entries.size).toBe(0);
    const again = await uploadFile(clientFor(other.url), { ...OPTIONS, file: file.path, resumeStore: store });
    expect(await storedSha256(other, again.file?.id ?? "")).toBe(file.sha256);
  });

  it("an abort cancels the upload and forgets it; a Blob or stream, which nothing names, is never stored", async () => {
    const local = await server();
    const file = await randomFile(4 * KiB);
    const { store, entries, writes } = memoryStore();
    const stop = new AbortController();
    const aborted = uploadFile(clientFor(local.url), {
      ...OPTIONS,
      file: file.path,
      resumeStore: store,
      signal: stop.signal,
      onProgress: ({ partsDone }) => partsDone === 1 && stop.abort(),
    });
    await expect(aborted).rejects.toMatchObject({ name: "APIUserAbortError", cancelled: true });
    expect(writes.length).toBeGreaterThan(0);
    expect(entries.size).toBe(0);
    writes.length = 0;
    await uploadFile(clientFor(local.url), {
      ...OPTIONS,
      file: new Blob([file.bytes]),
      filename: "blob.bin",
      resumeStore: store,
    });
    expect(writes).toEqual([]);
  });

  it("completing answered 5xx three times: resumable, with the warning that it may have completed", async () => {
    const local = await server();
    const file = await randomFile(2 * KiB);
    let failing = true;
    const client = clientFor(local.url, "fetch", {
      fetch: async (request) =>
        failing && request.url.endsWith("/complete")
          ? Response.json({ error: { message: "boom", type: "server_error" } }, { status: 500 })
          : fetch(request),
    });
    const { store, entries } = memoryStore();
    const error = await rejection(
      uploadFile(client, { ...OPTIONS, file: file.path, resumeStore: store }),
      UploadFileError,
    );
    expect(error).toMatchObject({ resumable: true, completionUnknown: true });
    expect(error.message).toMatch(/It may have completed on the server: pass `resume` to uploadFile to complete it/);
    expect(entries.size).toBe(1);
    failing = false;
    const upload = await uploadFile(client, { ...OPTIONS, file: file.path, resumeStore: store });
    expect(upload.id).toBe(error.uploadId);
    expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
  });

  it.each(["get", "set", "delete"] as const)(
    "a store whose %s throws is given up: the upload goes on",
    async (broken) => {
      const local = await server();
      const file = await randomFile(3 * KiB);
      const { store } = memoryStore();
      const calls: string[] = [];
      /** The store's method `name`, recorded, throwing when it is the broken one. */
      const method =
        <A extends unknown[]>(name: typeof broken, call: (...args: A) => unknown) =>
        async (...args: A) => {
          calls.push(name);
          if (name === broken) throw new Error("EACCES");
          return call(...args);
        };
      const failing: ResumeStore = {
        get: method("get", store.get) as ResumeStore["get"],
        set: method("set", store.set) as ResumeStore["set"],
        delete: method("delete", store.delete) as ResumeStore["delete"],
      };
      const upload = await uploadFile(clientFor(local.url), { ...OPTIONS, file: file.path, resumeStore: failing });
      expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
      // After its first failure the store is not called again.
      expect(calls.filter((call) => call === broken)).toHaveLength(1);
      expect(calls.indexOf(broken)).toBe(calls.length - 1);
    },
  );

  it("resuming an upload an earlier call completed unseen: not resumable, look for its File, forgotten", async () => {
    const local = await server();
    const file = await randomFile(2 * KiB);
    // The first call's complete is carried out, but every answer to it is lost.
    let lose = true;
    const client = clientFor(local.url, "fetch", {
      fetch: async (request) => {
        const answer = await fetch(request);
        if (lose && request.url.endsWith("/complete")) throw new TypeError("fetch failed");
        return answer;
      },
    });
    const { store, entries } = memoryStore();
    const first = await rejection(
      uploadFile(client, { ...OPTIONS, file: file.path, resumeStore: store }),
      UploadFileError,
    );
    expect(first).toMatchObject({ resumable: true, completionUnknown: true });
    expect(local.getUpload(first.uploadId)?.upload.status).toBe("completed");
    lose = false;
    // The next call continues it, and is told "already completed": the File exists, nothing to resume.
    const second = await rejection(
      uploadFile(client, { ...OPTIONS, file: file.path, resumeStore: store }),
      UploadFileError,
    );
    expect(second).toMatchObject({ uploadId: first.uploadId, resumable: false, completionUnknown: true });
    expect(second.message).toMatch(/look for its File before uploading again/);
    expect(entries.size).toBe(0);
  });

  it("ignores a stored value that is not a resume state", async () => {
    const local = await server();
    const file = await randomFile(KiB);
    const store: ResumeStore = { get: () => ({ version: 2 }) as never, set: () => {}, delete: () => {} };
    const upload = await uploadFile(clientFor(local.url), { ...OPTIONS, file: file.path, resumeStore: store });
    expect(upload.status).toBe("completed");
  });
});

const RESUME: UploadResume = {
  version: 1,
  uploadId: "upload_abc",
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
  bytes: 10,
  partSize: 5,
  partIds: ["part_1", null],
};

describe("the journal's lease", () => {
  const identity = {
    baseUrl: "https://api.example.test/v1",
    file: "a.bin",
    purpose: "batch",
    filename: "a.bin",
    mimeType: "x/y",
  };

  it("writes the first entry only once its lease is held, and lets go when the call ends", async () => {
    const { store, writes } = memoryStore();
    let grant: (letGo: () => void) => void = () => {};
    let letGoCalls = 0;
    const lease: Lease = {
      owner: () => "page-call",
      alive: () => undefined,
      hold: () => new Promise((held) => (grant = held)),
    };
    const journal = new Journal(store, identity, lease);
    const saved = journal.save(RESUME);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(writes).toHaveLength(0);
    grant(() => letGoCalls++);
    await saved;
    expect(writes).toHaveLength(1);
    journal.end();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(letGoCalls).toBe(1);
  });

  it("goes on saving, and ends cleanly, when its lease cannot be held", async () => {
    const { store, writes } = memoryStore();
    const lease: Lease = {
      owner: () => "page-call",
      alive: () => undefined,
      hold: () => Promise.reject(new Error("no locks here")),
    };
    const journal = new Journal(store, identity, lease);
    await journal.save(RESUME);
    await journal.save({ ...RESUME, partIds: ["part_1", "part_2"] });
    expect(writes.map((write) => write.partIds)).toEqual([RESUME.partIds, ["part_1", "part_2"]]);
    journal.end();
    await journal.remove();
  });
});

describe("fileResumeStore", () => {
  it("keeps each entry in a file only the user can read, written whole, and removes it on delete", async () => {
    const root = join(dir, "file-store");
    const store = fileResumeStore(root);
    expect(await store.get("a")).toBeUndefined();
    await store.set("a", RESUME);
    await store.set("a", { ...RESUME, partIds: ["part_1", "part_2"] });
    await store.set("b", RESUME);
    expect(await store.get("a")).toEqual({ ...RESUME, partIds: ["part_1", "part_2"] });
    const names = await readdir(root);
    // No temporary file is left behind: every write was renamed into place.
    expect(names.filter((name) => !name.endsWith(".json"))).toEqual([]);
    expect(names).toHaveLength(2);
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    for (const name of names) expect((await stat(join(root, name))).mode & 0o777).toBe(0o600);
    await store.delete("a");
    await store.delete("never-there");
    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("b")).toEqual(RESUME);
  });

  it("a new store sweeps expired and unreadable entries, and ignores another key's file", async () => {
    const root = join(dir, "sweep-store");
    const first = fileResumeStore(root);
    await first.set("live", RESUME);
    await first.set("dead", { ...RESUME, expiresAt: 1000 });
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "torn.json"), '{"key": "x", "resu');
    const second = fileResumeStore(root);
    expect(await second.get("dead")).toBeUndefined();
    expect(await second.get("live")).toEqual(RESUME);
    expect(await readdir(root)).toHaveLength(1);
    // An entry file holds its key: a file that holds another key is not this key's entry.
    const [only] = await readdir(root);
    const entry = JSON.parse(await readFile(join(root, only ?? ""), "utf8"));
    expect(entry.key).toBe("live");
  });

  it("lives under $XDG_STATE_HOME/openai-uploads, else ~/.local/state/openai-uploads", () => {
    expect(stateDirectory({ XDG_STATE_HOME: "/x/state" })).toBe("/x/state/openai-uploads");
    expect(stateDirectory({ XDG_STATE_HOME: "relative" })).toMatch(/\/\.local\/state\/openai-uploads$/);
    expect(stateDirectory({})).toMatch(/\/\.local\/state\/openai-uploads$/);
  });
});

describe("webStorageResumeStore", () => {
  it("keeps entries under its prefix in a Storage, and counts a corrupt one as absent", async () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    const store = webStorageResumeStore(storage, "p:");
    await store.set("k", RESUME);
    expect([...items.keys()]).toEqual(["p:k"]);
    expect(await store.get("k")).toEqual(RESUME);
    items.set("p:k", "{not json");
    expect(await store.get("k")).toBeUndefined();
    await store.delete("k");
    expect(items.size).toBe(0);
  });

  it("the first read sweeps its prefix's expired uploads, and leaves everything else", async () => {
    const items = new Map<string, string>([
      ["p:live", JSON.stringify(RESUME)],
      ["p:expired", JSON.stringify({ ...RESUME, expiresAt: 1000 })],
      ["p:after-expired", JSON.stringify({ ...RESUME, expiresAt: 1000 })],
      // Under a short prefix, another app's data; or a newer release's state: not this store's to judge.
      ["p:torn", "{not json"],
      ["p:other-shape", JSON.stringify({ hello: "world" })],
      ["p:newer", JSON.stringify({ ...RESUME, version: 2, expiresAt: 1000 })],
      ["q:expired", JSON.stringify({ ...RESUME, expiresAt: 1000 })],
    ]);
    // Web Storage's own enumeration, so that entries are renumbered as they are removed.
    const storage = {
      get length() {
        return items.size;
      },
      key: (index: number) => [...items.keys()][index] ?? null,
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    const store = webStorageResumeStore(storage, "p:");
    expect(await store.get("live")).toEqual(RESUME);
    expect([...items.keys()]).toEqual(["p:live", "p:torn", "p:other-shape", "p:newer", "q:expired"]);
    // Once per store: an entry that expires later is the next store's to sweep.
    items.set("p:expired", JSON.stringify({ ...RESUME, expiresAt: 1000 }));
    await store.get("live");
    expect(items.has("p:expired")).toBe(true);
  });

  it("a storage that cannot list its keys is never swept, and one that throws while listing still reads", async () => {
    const items = new Map([["p:expired", JSON.stringify({ ...RESUME, expiresAt: 1000 })]]);
    const basic = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    await webStorageResumeStore(basic, "p:").get("k");
    expect(items.has("p:expired")).toBe(true);
    const refusing = {
      ...basic,
      length: 1,
      key: () => {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    };
    await webStorageResumeStore(refusing, "p:").set("k", RESUME);
    expect(await webStorageResumeStore(refusing, "p:").get("k")).toEqual(RESUME);
  });

  it("without localStorage and no Storage passed, says what to pass", () => {
    expect(() => webStorageResumeStore(undefined)).toThrow(InvalidArgumentError);
  });
});
