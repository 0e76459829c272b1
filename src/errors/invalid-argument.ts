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

  constructor(problem: string, facts: { option?: string; remedy?: Remedy; value?: string } = {}) {
    const { option, remedy, value } = facts;
    const advice =
      remedy === "pass"
        ? ` Pass ${option}${value ? `: ${value}` : ""}.`
        : remedy === "omit"
          ? ` Leave ${option} out to start over.`
          : "";
    super(problem + advice);
    this.problem = problem;
    this.option = option;
    this.remedy = remedy;
  }
}
