import { APIUserAbortError } from "../errors/connection.js";
import { FileChangedError } from "../errors/file-changed.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import type { PlannedPart } from "./part-plan.js";
import type { FileSource, Md5, PartData } from "./platform.js";

/**
 * Bytes that arrive in order and can be read once: a web `ReadableStream`, a Node `Readable`
 * (without an encoding) or any `AsyncIterable` of `Uint8Array` chunks.
 */
export type ByteStream = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Whether `value` is a stream `uploadFile` can read, rather than a path or a Blob. */
export function isByteStream(value: unknown): value is ByteStream {
  const candidate = value as { getReader?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    (typeof candidate.getReader === "function" || typeof candidate[Symbol.asyncIterator] === "function")
  );
}

/**
 * A stream of `size` bytes as a source. The API needs the size up front, so the caller
 * declares it. Parts are read in file order into memory, one buffer per part, as the upload asks
 * for them: with `concurrency` parts in flight, at most `concurrency + 1` part buffers are held
 * (the one being read, and each one being sent, kept so that a retry resends the same bytes).
 * `asPart` makes each buffer what the runtime's transport sends best (under Node the bytes
 * themselves; in a browser a Blob, which it may keep on disk, the buffer then dropped). The MD5,
 * when `hash` is given, is computed as the bytes pass. A part that a resume has already
 * sent is read past, not kept, so a resume takes a new stream of the same bytes from its start.
 *
 * A stream that ends before `size` bytes, or runs past them, fails the part being read (or
 * `finish`) with `FileChangedError`, which cancels the upload; `release` cancels the stream.
 */
export function streamSource(
  stream: ByteStream,
  size: number,
  hash: Md5 | undefined,
  asPart: (bytes: Uint8Array<ArrayBuffer>) => PartData,
): FileSource {
  const reader = "getReader" in stream ? stream.getReader() : undefined;
  // Not every browser iterates a web stream, so one is read through its reader.
  const chunks: AsyncIterator<unknown> = reader
    ? { next: () => reader.read() as Promise<IteratorResult<unknown>> }
    : (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let position = 0;
  let leftover: Uint8Array | undefined;
  // Parts are read one after another, in the order they are asked for.
  let reading: Promise<unknown> = Promise.resolve();
  let finished: (() => void) | undefined;
  const allRead = new Promise<void>((resolve) => {
    finished = resolve;
  });

  async function nextChunk(): Promise<Uint8Array | undefined> {
    if (leftover) {
      const chunk = leftover;
      leftover = undefined;
      return chunk;
    }
    const { done, value } = await chunks.next();
    if (done) return undefined;
    if (!(value instanceof Uint8Array)) {
      throw new InvalidArgumentError(
        `the stream gave a chunk that is not bytes (${typeof value}); it must give Uint8Array or Buffer chunks: set no encoding on it.`,
        { option: "file" },
      );
    }
    return value;
  }

  /** Reads the next `count` bytes, hashing them, into `into` when given (from its start). */
  async function read(count: number, into?: Uint8Array): Promise<void> {
    for (let done = 0; done < count; ) {
      const chunk = await nextChunk();
      if (!chunk) {
        throw new FileChangedError(
          `the stream ended after ${position} bytes, short of its declared size of ${size} bytes; pass its exact size.`,
        );
      }
      const used = chunk.length > count - done ? chunk.subarray(0, count - done) : chunk;
      if (used !== chunk) leftover = chunk.subarray(used.length);
      hash?.update(used);
      into?.set(used, done);
      position += used.length;
      done += used.length;
    }
  }

  /** Runs `step` after the reads asked for before it; `signal` stops the wait for a stream that stalls. */
  function inTurn<T>(step: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const result = reading.then(step);
    reading = result.catch(() => undefined);
    return orAbort(result, signal);
  }

  return {
    size,
    name: undefined,
    label: "the stream",
    type: undefined,
    mtimeMs: undefined,
    identity: undefined,
    partData: (part: PlannedPart, signal: AbortSignal) =>
      inTurn(async () => {
        await read(part.start - position);
        // One buffer per part, filled in place: the stream's chunks are not kept.
        const bytes = new Uint8Array(part.end - part.start);
        await read(bytes.length, bytes);
        return asPart(bytes);
      }, signal),
    async md5Hex(signal) {
      await orAbort(allRead, signal);
      return hash?.hex() ?? "";
    },
    assertUnchanged: async () => {},
    finish: (signal) =>
      inTurn(async () => {
        await read(size - position);
        for (let chunk = await nextChunk(); chunk; chunk = await nextChunk()) {
          if (chunk.length > 0) {
            throw new FileChangedError(`the stream runs past its declared size of ${size} bytes; pass its exact size.`);
          }
        }
        finished?.();
      }, signal),
    release() {
      // A stream read to its end has nothing left to cancel; one cut short stops producing.
      const done = () => undefined;
      if (reader) reader.cancel().catch(done);
      else if (typeof (stream as { destroy?: unknown }).destroy === "function") {
        (stream as unknown as { destroy(): void }).destroy();
      } else chunks.return?.()?.catch(done);
    },
  };
}

/** `promise`, or `APIUserAbortError` as soon as `signal` fires: a pipe may never send another byte. */
function orAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new APIUserAbortError());
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
