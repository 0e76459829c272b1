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
