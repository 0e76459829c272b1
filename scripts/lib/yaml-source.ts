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
  return {
    file,
    value: doc.toJS(),
    locate(pointer) {
      const node = nodeAt(doc.contents, pointerTokens(pointer));
      const offset = node?.range?.[0];
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

// Walks as deep as the pointer resolves, so a missing key still points at its parent.
function nodeAt(root: Node | null, tokens: string[]): Node | null {
  let node = root;
  for (const token of tokens) {
    let next: unknown;
    if (isMap(node)) next = node.items.find((p) => isScalar(p.key) && String(p.key.value) === token)?.value;
    else if (isSeq(node)) next = node.items[Number(token)];
    if (!next || typeof next !== "object") return node;
    node = next as Node;
  }
  return node;
}
