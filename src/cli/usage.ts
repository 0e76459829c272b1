import type { Command, Option } from "commander";
import type { CommandExample } from "./command-table.js";
import { shellQuote } from "./values.js";

/** The program's name, as a shell calls it. */
export const NAME = "openai-uploads";

/**
 * Makes `options` required on `command`, every one named when missing: commander's own
 * mandatory options stop at the first one missing, so a user would fix them one run at a time.
 * Each one's help says it is required. The check runs after commander's own (unknown options,
 * missing arguments), before the action.
 */
export function requireOptions(command: Command, options: readonly Option[]): void {
  for (const option of options) option.description = `${option.description} (required)`;
  command.hook("preAction", () => {
    const missing = options.filter((option) => command.getOptionValue(option.attributeName()) === undefined);
    if (missing.length === 0) return;
    const names = missing.map((option) => option.long ?? option.flags);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
    command.error(`${list} ${names.length === 1 ? "is" : "are"} required.`, {
      code: "commander.missingMandatoryOptionValue",
      exitCode: 2,
    });
  });
}

/** Adds example command lines, each under its summary, after the command's options in its `--help`. */
export function addExamples(command: Command, examples: readonly CommandExample[]): void {
  if (examples.length === 0) return;
  const lines = examples.flatMap((example) => [
    ...(example.summary ? [`  # ${example.summary}`] : []),
    `  $ ${[NAME, command.name(), ...example.args].map(shellQuote).join(" ")}`,
  ]);
  command.addHelpText("after", `\nExamples:\n${lines.join("\n")}`);
}
