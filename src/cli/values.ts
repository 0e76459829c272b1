import { InvalidArgumentError as UsageError } from "commander";
import { inBinaryUnits, MAX_PART_BYTES } from "../limits.js";

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** A whole number of bytes with an optional unit: `1048576`, `8MB`, `64MiB`. */
export function parseSize(value: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = UNITS[(match?.[2] || "b").toLowerCase()];
  if (!match || unit === undefined) {
    throw new UsageError("expected a size such as 1048576, 8MB or 64MiB.");
  }
  return Number(match[1]) * unit;
}

/** A part size: a size from 1 byte to the API's largest part. */
export function parsePartSize(value: string): number {
  const size = parseSize(value);
  if (size < 1 || size > MAX_PART_BYTES) {
    throw new UsageError(`a part holds 1 byte to ${inBinaryUnits(MAX_PART_BYTES)} (${MAX_PART_BYTES} bytes).`);
  }
  return size;
}

/** A whole number from `min` to `max` (by default, as large as is safe). */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
      throw new UsageError(
        max === Number.MAX_SAFE_INTEGER
          ? `expected a whole number >= ${min}.`
          : `expected a whole number from ${min} to ${max}.`,
      );
    }
    return number;
  };
}

/** A number from `min` to `max`, each optional. */
export function numberIn(min = -Infinity, max = Infinity): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === "" || !Number.isFinite(number) || number < min || number > max) {
      throw new UsageError(
        `expected a number${Number.isFinite(min) ? ` >= ${min}` : ""}${Number.isFinite(max) ? ` <= ${max}` : ""}.`,
      );
    }
    return number;
  };
}

/** A string that matches the spec's `pattern`. */
export function matching(pattern: RegExp): (value: string) => string {
  return (value) => {
    if (!pattern.test(value)) throw new UsageError(`expected a value matching ${pattern.source}.`);
    return value;
  };
}

/** Collects a repeated option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Quotes an argument for a POSIX shell, for commands the user is told to run. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
