import { MAX_PART_BYTES } from "../limits.js";
import { MAX_PARTS } from "./options.js";

/** One part of a file: bytes `[start, end)`, sent as part number `index` (0-based, file order). */
export interface PlannedPart {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Cuts `totalBytes` into consecutive parts of `partSize` bytes, the last one shorter when the
 * size does not divide evenly. The parts cover the file exactly, in order, with no gap and no
 * overlap; an empty file has no parts.
 */
export function partPlan(totalBytes: number, partSize: number): PlannedPart[] {
  // Callers check both with messages for users; this only keeps the loop below from running forever.
  if (!(Number.isSafeInteger(totalBytes) && totalBytes >= 0 && Number.isSafeInteger(partSize) && partSize >= 1)) {
    throw new RangeError(`partPlan(${totalBytes}, ${partSize})`);
  }
  const parts: PlannedPart[] = [];
  for (let start = 0, index = 0; start < totalBytes; start += partSize, index++) {
    parts.push({ index, start, end: Math.min(start + partSize, totalBytes) });
  }
  return parts;
}

const MiB = 1024 * 1024;

/**
 * Parts in flight at once when the caller sets no `concurrency`. On a real link one connection
 * carries about its window per round trip, whatever the link's capacity, so the number of busy
 * connections decides the speed: eight fill a link eight times what one connection carries
 * (through a relay of 20 ms each way, 12.5 MB/s per connection and 100 MB/s in all, 8 fill
 * 0.92-0.96 of it for 512 MiB where 4 fill 0.46-0.49: see CONTRIBUTING.md's long-link
 * benchmark), and a file on disk or a Blob costs no memory per connection. It is 8 rather
 * than 16 because 16 gained nothing beyond the noise there (0.94-0.96 for 512 MiB, 0.82 for
 * 128 MiB against 0.85), doubles the sockets opened to the API, and would cut a stream's
 * default parts in half for the same memory.
 */
export const DEFAULT_CONCURRENCY = 8;

/**
 * The smallest part the default part size cuts (unless a stream's memory asks for less): each
 * part costs a round trip on top of its bytes, about 6% of an 8 MiB part's time at 12.5 MB/s
 * over a 40 ms round trip, and more of a smaller one's.
 */
export const MIN_DEFAULT_PART_BYTES = 8 * MiB;

/**
 * What a stream's part buffers hold at most when the caller leaves `partSize` or `concurrency`
 * to the defaults: (concurrency + 1) x part size <= 320 MiB, the 5 x 64 MiB the fixed defaults
 * (64 MiB parts, 4 at a time) held before they were chosen per file.
 */
export const STREAM_BUFFER_BYTES = 320 * MiB;

/** The part size and concurrency an upload runs with. */
export interface PartSizing {
  partSize: number;
  concurrency: number;
}

/**
 * The part size and concurrency for `size` bytes, each the given one when there is one (the
 * caller's, or for `partSize` the one the upload a resume continues was cut with), else:
 * - concurrency: {@link DEFAULT_CONCURRENCY}; for a stream whose part size is given, at most
 *   what keeps (concurrency + 1) x part size within {@link STREAM_BUFFER_BYTES}: 4 for 64 MiB
 *   parts, as before (a part is at most 64 MiB, so never fewer than 4);
 * - part size: enough parts to keep every connection busy, two per connection,
 *   `size / (2 x concurrency)`, held between {@link MIN_DEFAULT_PART_BYTES} (8 MiB) and
 *   `MAX_PART_BYTES` (64 MiB). So a file of up to 8 MiB goes in one part, 128 MiB in 16 parts
 *   of 8 MiB and 512 MiB in 16 of 32 MiB, 8 at a time; from 1 GiB on parts are 64 MiB. For a
 *   stream, also at most {@link STREAM_BUFFER_BYTES} / (concurrency + 1), which bounds its
 *   buffers. Never below `size / MAX_PARTS` (10,000 parts; 859 KB for 8 GiB).
 */
export function choosePartSizing(
  size: number,
  {
    partSize,
    concurrency,
    stream,
  }: { partSize?: number | undefined; concurrency?: number | undefined; stream: boolean },
): PartSizing {
  concurrency ??=
    stream && partSize
      ? Math.min(DEFAULT_CONCURRENCY, Math.floor(STREAM_BUFFER_BYTES / partSize) - 1)
      : DEFAULT_CONCURRENCY;
  partSize ??= Math.max(
    Math.ceil(size / MAX_PARTS),
    Math.min(
      stream ? Math.floor(STREAM_BUFFER_BYTES / (concurrency + 1)) : MAX_PART_BYTES,
      MAX_PART_BYTES,
      Math.max(MIN_DEFAULT_PART_BYTES, Math.ceil(size / (2 * concurrency))),
    ),
  );
  return { partSize, concurrency };
}
