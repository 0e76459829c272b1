import type { Command, Option } from "commander";
import type { CommandExample } from "./command-table.js";
import { shellQuote } from "./values.js";

/** The program's name, as a shell calls it. */
export const NAME = "openai-uploads";

/**
 * Makes `options` required on `command`, every one named when missing, with a missing
 * argument among them: commander's own mandatory options stop at the first one missing, and
 * its missing argument is reported before any option is checked, so a user would fix them one
 * run at a time. Each one's help says it is required. The check runs after commander's own
 * (unknown options), before the action.
 */
export function requireOptions(command: Command, options: readonly Option[]): void {
  for (const option of options) option.description = `${option.description} (required)`;
  const missingOptions = () =>
    options
      .filter((option) => command.getOptionValue(option.attributeName()) === undefined)
      .map((option) => option.long ?? option.flags);
  const refuse = (names: readonly string[]) => {
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
    command.error(`${list} ${names.length === 1 ? "is" : "are"} required.`, {
      code: "commander.missingMandatoryOptionValue",
      exitCode: 2,
    });
  };
  // Commander reports a missing argument through this method once the options are parsed, so
  // they can be named with it. Not in its typings, but a method it has kept since version 2;
  // tests/cli/bad-input.test.ts fails if it stops being called.
  (command as Command & { missingArgument(name: string): void }).missingArgument = (name) =>
    refuse([`<${name}>`, ...missingOptions()]);
  command.hook("preAction", () => {
    const names = missingOptions();
    if (names.length > 0) refuse(names);
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
