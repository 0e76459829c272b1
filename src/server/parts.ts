import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { finished, pipeline } from "node:stream/promises";
import busboy from "busboy";
import { operations } from "../../generated/operations.js";
import { STREAM_HWM } from "./disk.js";
import { ApiError, invalidParam } from "./errors.js";
import { mediaType } from "./http.js";

/** The part's file field: the binary property of the spec's part body. */
const FIELD = operations.addUploadPart.fileFields[0];
const howToSend = `Send the part as multipart/form-data with its bytes in one file field named '${FIELD}'`;

/**
 * Receives the body of an `addUploadPart` request and streams its `data` file field straight
 * into `dest`, so a part is never held in memory. Resolves with the number of bytes stored.
 *
 * Rejects with a 400 {@link ApiError} when the body is not multipart/form-data, is malformed,
 * lacks `data`, sends `data` as a plain text field (whose bytes the parser would decode as
 * text, and so not keep byte-exact), repeats it, or has any other field (the spec's
 * `additionalProperties: false`); with a 413 when `data` exceeds `maxPartBytes`. On any
 * failure, including the client going away mid-part (the stream's own error), `dest` is removed.
 */
export async function receivePart(req: IncomingMessage, dest: string, maxPartBytes: number): Promise<number> {
  const type = mediaType(req);
  if (type !== "multipart/form-data") {
    throw invalidParam(FIELD, `${howToSend}; the Content-Type was ${type ? `'${type}'` : "missing"}.`);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // busboy reports 'limit' on reaching the limit, not on passing it: one byte of headroom
      // lets a part of exactly maxPartBytes through.
      limits: { fileSize: maxPartBytes + 1 },
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
    stream.once("limit", () => {
      problem ??= new ApiError(
        413,
        `The part is larger than the limit of ${maxPartBytes} bytes. Split the file into parts of at most ${maxPartBytes} bytes.`,
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
      req.pipe(parser);
    });
    const bytes = await stored;
    if (problem) throw problem;
    if (bytes === undefined) throw invalidParam(FIELD, `Missing required parameter: '${FIELD}'. ${howToSend}.`);
    return bytes;
  } catch (error) {
    req.unpipe(parser);
    // Destroying the parser ends the file stream it feeds, or `stored` would wait forever.
    parser.destroy();
    // Read what is left of the body, so that the answer goes out on a connection in a clean state.
    if (!req.readableEnded && !req.destroyed) await finished(req.resume()).catch(() => undefined);
    await stored?.catch(() => undefined);
    await rm(dest, { force: true });
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
