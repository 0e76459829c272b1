import { MAX_PART_BYTES } from "../core/limits.js";

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
  if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) {
    throw new RangeError(`totalBytes must be a whole number of bytes >= 0, got ${totalBytes}`);
  }
  if (!Number.isSafeInteger(partSize) || partSize < 1 || partSize > MAX_PART_BYTES) {
    throw new RangeError(`partSize must be a whole number from 1 to ${MAX_PART_BYTES}, got ${partSize}`);
  }
  const parts: PlannedPart[] = [];
  for (let start = 0, index = 0; start < totalBytes; start += partSize, index++) {
    parts.push({ index, start, end: Math.min(start + partSize, totalBytes) });
  }
  return parts;
}
