import { SHORTEST_SECRET as SHORTEST_KEY, withoutSecrets } from "../core/secrets.js";

/** The flags and the variables the CLI reads a key or token from. */
const KEY_FLAGS = ["--api-key", "--azure-ad-token"] as const;
const KEY_VARIABLES = ["OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN"] as const;

/**
 * A function that takes every key this run knows out of a text before it is printed: the
 * value of `--api-key` and `--azure-ad-token` (`--api-key K` or `--api-key=K`) and of the
 * variables they default to. The library takes the keys it sent out of its errors, but a
 * server or a proxy may quote the request's headers back in any answer, a 2xx's too, and the
 * CLI prints answers cut short: so a key's start is taken out too, from its first
 * {@link SHORTEST_KEY} characters on.
 */
export function keyRedactor(argv: readonly string[], env: NodeJS.ProcessEnv): (text: string) => string {
  const keys = new Set<string>();
  argv.forEach((arg, i) => {
    for (const flag of KEY_FLAGS) {
      if (arg === flag) keys.add(argv[i + 1] ?? "");
      else if (arg.startsWith(`${flag}=`)) keys.add(arg.slice(flag.length + 1));
    }
  });
  for (const name of KEY_VARIABLES) keys.add(env[name] ?? "");
  const known = [...keys].map((key) => key.trim()).filter((key) => key.length >= SHORTEST_KEY);
  return (text) => withoutSecrets(text, known);
}

/**
 * Commander quotes an unknown option as typed, `=value` included: `--api-kye=KEY` would
 * print the key. Only the flag's name is kept.
 */
export function withoutOptionValue(message: string): string {
  return message.replace(/^(unknown option '[^'=]*)=[^']*'/, "$1'");
}
