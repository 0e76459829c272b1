import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { SpecError } from "./spec-error.js";

/** A parsed spec that can map a JSON pointer back to a line and column of its file. */
export interface YamlSource {
  file: string;
  value: unknown;
  locate(pointer: string): { line: number; col: number } | undefined;
}

/** Reads and parses a YAML (or JSON) spec, failing with the position of the first syntax error. */
export async function readYamlSource(path: string): Promise<YamlSource> {
  const file = relative(process.cwd(), path) || path;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SpecError(file, `cannot read the spec: ${(error as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [first] = doc.errors;
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new SpecError(file, `invalid YAML: ${first.message.split("\n")[0]}`, pos.line, pos.col);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // yaml refuses aliases that expand past its limit (a "billion laughs" file) with a RangeError-like throw.
    throw new SpecError(
      file,
      `the YAML cannot be expanded (${(error as Error).message}); write the repeated parts out, or use $ref`,
    );
  }
  return {
    file,
    value,
    locate(pointer) {
      const offset = nodeAt(doc.contents, pointerTokens(pointer))?.range?.[0];
      return offset === undefined ? undefined : lineCounter.linePos(offset);
    },
  };
}

/** Splits `#/a/b~1c` into `["a", "b/c"]`. */
export function pointerTokens(pointer: string): string[] {
  const path = pointer.replace(/^#?\/?/, "");
  if (path === "") return [];
  return path.split("/").map((t) => decodeURIComponent(t).replaceAll("~1", "/").replaceAll("~0", "~"));
}

/**
 * Walks as deep as the pointer resolves, so a missing key still points at its parent. A map
 * entry is found at its key, where the reader looks for it, rather than at its value, which
 * for a block starts on the next line.
 */
function nodeAt(root: Node | null, tokens: string[]): Node | null {
  let node = root;
  let found = root;
  for (const token of tokens) {
    let next: unknown;
    let at: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === token);
      next = pair?.value;
      at = pair?.key;
    } else if (isSeq(node)) {
      next = at = node.items[Number(token)];
    }
    if (!at || typeof at !== "object") return found;
    found = at as Node;
    if (!next || typeof next !== "object") return found;
    node = next as Node;
  }
  return found;
}
