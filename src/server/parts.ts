import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { finished, pipeline } from "node:stream/promises";
import busboy from "busboy";
import { operations } from "../../generated/operations.js";
import { STREAM_HWM, syncFile } from "./disk.js";
import { ApiError, invalidParam, storageError } from "./errors.js";
import { mediaType } from "./http.js";

/** The part's file field: the binary property of the spec's part body. */
const FIELD = operations.addUploadPart.fileFields[0];
const howToSend = `Send the part as multipart/form-data with its bytes in one file field named '${FIELD}'`;

/** What a part is held to while it arrives. */
export interface PartLimits {
  /** The server's largest part (`maxPartBytes`): a part over it is a 413. */
  maxPartBytes: number;
  /** The bytes the upload can still take when the part starts: a part over it is refused with {@link noRoom}. */
  room: number;
  /** The 400 for a part that does not fit in its upload. */
  noRoom(): ApiError;
  /**
   * Told the size of each chunk of the part as it arrives, before it is written: parts of one
   * upload arriving in parallel share its room. A returned error refuses the part.
   */
  onChunk(bytes: number): ApiError | undefined;
  /** The data directory, named in the message of a storage error. */
  dataDir: string;
  /** Whether the part is flushed to the disk before it is recorded (see `DataDir.durable`). */
  durable: boolean;
}

/**
 * Receives the body of an `addUploadPart` request and streams its `data` file field straight
 * into `dest`, so a part is never held in memory. Resolves with the number of bytes stored,
 * once they are fsync'd when `limits.durable`: a part is on disk before anything records it.
 *
 * Rejects with a 400 {@link ApiError} when the body is not multipart/form-data, is malformed,
 * lacks `data`, sends `data` as a plain text field (whose bytes the parser would decode as
 * text, and so not keep byte-exact), repeats it, has any other field (the spec's
 * `additionalProperties: false`), sends an empty part, or sends more than the upload has room
 * for (`limits.noRoom`); with a 413 when `data` exceeds `maxPartBytes`. The parser stops
 * passing bytes at the smaller of the two limits, so an oversize part is never stored whole.
 * A storage error (a full disk, say) is answered at once, without reading the rest of the
 * body (`connection: close` then ends the connection after the answer): a 507 or 500 that says
 * what failed. On any failure, including the client going away mid-part (the stream's own
 * error), `dest` is removed.
 */
export async function receivePart(req: IncomingMessage, dest: string, limits: PartLimits): Promise<number> {
  const type = mediaType(req);
  if (type !== "multipart/form-data") {
    throw invalidParam(FIELD, `${howToSend}; the Content-Type was ${type ? `'${type}'` : "missing"}.`);
  }
  const limit = Math.max(0, Math.min(limits.maxPartBytes, limits.room));
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // busboy reports 'limit' on reaching the limit, not on passing it: one byte of headroom
      // lets a part of exactly the limit through.
      limits: { fileSize: limit + 1 },
      highWaterMark: STREAM_HWM,
      fileHwm: STREAM_HWM,
    });
  } catch (error) {
    throw invalidParam(FIELD, `${howToSend}; the Content-Type header is unusable (${(error as Error).message}).`);
  }

  // The first problem wins; the rest of the form is still read so the response can be sent
  // on a connection that is in a clean state.
  let problem: ApiError | undefined;
  let stored: Promise<number> | undefined;
  let parseError: unknown;
  // A write to `dest` failed: answered at once, since busboy, its file stream gone, would
  // stall until the client gave up.
  let writeError: unknown;
  let failWrite!: (error: unknown) => void;
  const writeFailed = new Promise<never>((_, reject) => {
    failWrite = reject;
  });
  writeFailed.catch(() => undefined);
  // Kept for good, not once: destroying the parser after a failure makes it emit again.
  parser.on("error", (error) => {
    parseError ??= error;
  });
  parser.on("file", (name, stream) => {
    if (name !== FIELD || stored) {
      problem ??=
        name === FIELD ? invalidParam(FIELD, `${howToSend}; '${FIELD}' was sent more than once.`) : unexpected(name);
    }
    // A request that is already refused has nothing worth writing to disk.
    if (problem) {
      stream.resume();
      return;
    }
    const out = createWriteStream(dest, { highWaterMark: STREAM_HWM });
    // Registered before pipeline's own listeners, so a failure of the incoming side is known
    // before pipeline destroys `out` with that same error, which is then not the disk's fault.
    let incomingFailed = false;
    stream.on("error", () => {
      incomingFailed = true;
    });
    out.on("error", (error) => {
      if (incomingFailed || writeError !== undefined) return;
      writeError = error;
      failWrite(error);
    });
    stream.on("data", (chunk: Buffer) => {
      const refusal = limits.onChunk(chunk.length);
      if (refusal) problem ??= refusal;
    });
    stream.once("limit", () => {
      problem ??=
        limit < limits.maxPartBytes
          ? limits.noRoom()
          : new ApiError(
              413,
              `The part is larger than the limit of ${limits.maxPartBytes} bytes. Split the file into parts of at most ${limits.maxPartBytes} bytes.`,
              { param: FIELD },
            );
    });
    stored = pipeline(stream, out).then(() => out.bytesWritten);
    // Handled below once the form is parsed; this only keeps an early failure from counting
    // as an unhandled rejection in the meantime.
    stored.catch(() => undefined);
  });
  parser.on("field", (name) => {
    problem ??=
      name === FIELD
        ? invalidParam(
            FIELD,
            `${howToSend}: '${FIELD}' arrived as a plain text field; send it as a file (with a filename).`,
          )
        : unexpected(name);
  });

  try {
    // Not pipeline(req, parser): on a parse error it would destroy req, and with it the socket
    // the 400 must go out on.
    await new Promise<void>((resolve, reject) => {
      parser.once("close", resolve).once("error", reject);
      // Rejects when the client went away or close() cut the connection, even before this point.
      finished(req).catch(reject);
      writeFailed.catch(reject);
      req.pipe(parser);
    });
    const bytes = await stored;
    if (problem) throw problem;
    if (bytes === undefined) throw invalidParam(FIELD, `Missing required parameter: '${FIELD}'. ${howToSend}.`);
    if (bytes === 0) {
      throw invalidParam(
        FIELD,
        `The part is empty: '${FIELD}' had 0 bytes. A part holds at least 1 byte; send the next bytes of the file in '${FIELD}'.`,
      );
    }
    if (limits.durable) {
      await syncFile(dest).catch((error: unknown) => {
        writeError = error;
        throw error;
      });
    }
    return bytes;
  } catch (error) {
    req.unpipe(parser);
    // Destroying the parser ends the file stream it feeds, or `stored` would wait forever.
    parser.destroy();
    // Read what is left of the body, so that the answer goes out on a connection in a clean
    // state; after a storage error, not: the answer goes out now and the connection is closed.
    if (writeError === undefined && !req.readableEnded && !req.destroyed) {
      await finished(req.resume()).catch(() => undefined);
    }
    await stored?.catch(() => undefined);
    await rm(dest, { force: true });
    if (writeError !== undefined) {
      throw storageError(writeError, {
        action: "store the part",
        dir: limits.dataDir,
        retry: "send the part again",
        headers: req.complete ? {} : { connection: "close" },
      });
    }
    if (problem) throw problem;
    if (error === parseError && !req.readableAborted) {
      throw invalidParam(FIELD, `The multipart body is malformed (${(error as Error).message}). ${howToSend}.`);
    }
    throw error;
  }
}

function unexpected(name: string): ApiError {
  return invalidParam(
    name,
    `Unrecognized request argument supplied: '${name}'. Remove it: a part accepts only '${FIELD}'.`,
  );
}
