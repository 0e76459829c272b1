import { OpenAIUploadsError } from "./base.js";

/** How to fix an {@link InvalidArgumentError} by its `option`: pass it, or leave it out. */
export type Remedy = "pass" | "omit";

/**
 * A caller's mistake found before any request was sent: a missing API key, a bad base
 * URL, an empty upload id. The message says what was wrong (`problem`) and how to fix it;
 * `option` names the option or parameter at fault and `remedy` what to do with it, so that a
 * command line can give the same advice with its own flag.
 */
export class InvalidArgumentError extends OpenAIUploadsError {
  /** Always `"InvalidArgumentError"`, spelled out so it survives minification. */
  override name = "InvalidArgumentError";
  /** The option or parameter at fault (or the one that would fix it): `baseUrl`, `upload_id`. */
  declare readonly option: string | undefined;
  /** What was wrong, without the hint. */
  declare readonly problem: string;
  /** What to do with `option` to fix it; absent when the problem says how. */
  declare readonly remedy: Remedy | undefined;
  /** The value to pass `option`, when the remedy is to pass it one. */
  declare readonly value: string | undefined;

  constructor(problem: string, facts: { option?: string; remedy?: Remedy; value?: string } = {}) {
    const { option, remedy, value } = facts;
    super(problem + remedyAdvice(remedy, option ?? "", value === undefined ? "" : `: ${value}`));
    this.problem = problem;
    this.option = option;
    this.remedy = remedy;
    this.value = value;
  }
}

/**
 * The sentence of a remedy, after its problem, naming the option as `name` (an option in code,
 * a flag on a command line) with `value` after it.
 */
export function remedyAdvice(remedy: Remedy | undefined, name: string, value: string): string {
  if (!remedy) return "";
  return remedy === "pass" ? ` Pass ${name}${value}.` : ` Leave ${name} out to start over.`;
}
