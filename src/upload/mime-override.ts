/**
 * Types the OpenAI API expects for extensions that the MIME database lacks or maps
 * differently: JSON Lines, the format of batch and fine-tuning files, is `text/jsonl` in
 * OpenAI's own examples.
 */
const OVERRIDES: Readonly<Record<string, string>> = { jsonl: "text/jsonl" };

/** The API's preferred MIME type for a file name's extension, when it differs from the database's. */
export function mimeTypeOverride(filename: string): string | undefined {
  const extension = /\.([^./\\]+)$/.exec(filename)?.[1]?.toLowerCase();
  return extension ? OVERRIDES[extension] : undefined;
}
