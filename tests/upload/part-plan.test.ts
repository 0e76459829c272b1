import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PART_BYTES, MAX_UPLOAD_BYTES } from "../../src/index.js";
import { partPlan } from "../../src/upload/part-plan.js";

describe("partPlan", () => {
  it("covers the file exactly, in order, with every part within the limits", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_UPLOAD_BYTES }),
        fc.integer({ min: 1, max: MAX_PART_BYTES }),
        (total, partSize) => {
          fc.pre(total / partSize <= 20_000); // keep each run's plan small enough to walk
          const parts = partPlan(total, partSize);
          expect(parts.length).toBe(Math.ceil(total / partSize));
          let expectedStart = 0;
          for (const [i, part] of parts.entries()) {
            expect(part.index).toBe(i);
            expect(part.start).toBe(expectedStart);
            const size = part.end - part.start;
            expect(size).toBeGreaterThanOrEqual(1);
            expect(size).toBeLessThanOrEqual(partSize);
            if (i < parts.length - 1) expect(size).toBe(partSize);
            expectedStart = part.end;
          }
          expect(expectedStart).toBe(total);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("gives 64 MiB parts and a short last one for 8 GiB minus one byte", () => {
    const parts = partPlan(MAX_UPLOAD_BYTES - 1, MAX_PART_BYTES);
    expect(parts).toHaveLength(128);
    expect(parts.at(-1)).toEqual({ index: 127, start: 127 * MAX_PART_BYTES, end: MAX_UPLOAD_BYTES - 1 });
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses part size %s rather than loop forever", (size) => {
    expect(() => partPlan(10, size)).toThrow(RangeError);
  });

  it.each([-1, 0.5, Number.POSITIVE_INFINITY])("refuses total size %s", (total) => {
    expect(() => partPlan(total, 4)).toThrow(RangeError);
  });
});
