/** A problem with the spec, reported as `file:line:col: problem` without a stack trace. */
export class SpecError extends Error {
  override readonly name = "SpecError";

  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}:${col ?? 1}`}: ${problem}`);
  }
}
