import diff from "microdiff";

/**
 * Keys that carry prose or tooling hints, not the shapes a client relies on: left out of an
 * extract and of every comparison. `links` only relate operations (for stateful tests).
 */
const PROSE = new Set([
  "description",
  "summary",
  "example",
  "examples",
  "externalDocs",
  "title",
  "deprecated",
  "tags",
  "links",
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Lists whose order means nothing: compared as sets, each value a key, so a difference names the value. */
const SETS = new Set(["required", "enum"]);

/** `value` without prose and without extensions (`x-…`): the structure a client relies on. */
export function structureOf(value: Json): Json {
  if (Array.isArray(value)) return value.map(structureOf);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !PROSE.has(key) && !key.startsWith("x-"))
      .map(([key, child]) => [key, structureOf(child)]),
  );
}

/** `value` with each `required` and `enum` list made a set (an object keyed by its values), for comparing. */
function asSets(value: Json): Json {
  if (Array.isArray(value)) return value.map(asSets);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      SETS.has(key) && Array.isArray(child)
        ? Object.fromEntries(child.map((item) => [String(item), true]))
        : asSets(child),
    ]),
  );
}

/**
 * `value` with every reference to a shared parameter, response or header replaced by what it
 * names: one spec may share what another writes inline, which is the same contract. Schema
 * references stay: they name the schemas compared beside the paths.
 */
function inlineShared(value: Json, doc: { [key: string]: Json }): Json {
  if (Array.isArray(value)) return value.map((child) => inlineShared(child, doc));
  if (value === null || typeof value !== "object") return value;
  const ref = value.$ref;
  const shared = typeof ref === "string" ? /^#\/components\/(parameters|responses|headers)\/(.+)$/.exec(ref) : null;
  if (shared) {
    const components = (doc.components ?? {}) as { [key: string]: { [key: string]: Json } };
    const target = components[shared[1] as string]?.[shared[2] as string];
    if (target === undefined) throw new Error(`the document refers to ${ref}, which it lacks`);
    return inlineShared(target, doc);
  }
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, inlineShared(child, doc)]));
}

/** Every `#/components/schemas/NAME` that `value` refers to, directly. */
function schemaRefs(value: Json, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const child of value) schemaRefs(child, into);
  else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string" && child.startsWith("#/components/schemas/")) {
        into.add(child.slice("#/components/schemas/".length));
      } else {
        schemaRefs(child, into);
      }
    }
  }
  return into;
}

/** Where an extract came from: recorded in it, so a reader knows which upstream it stands for. */
export interface UpstreamSource {
  source: string;
  commit: string;
}

/**
 * Cuts an OpenAPI document (a whole openai-openapi spec, or an excerpt) down to the /uploads
 * paths and every schema they reach, structure only: a valid OpenAPI document of its own,
 * which Prism can mock. `source` is recorded as `info.x-upstream`.
 */
export function extractUploads(document: Json, source: UpstreamSource): Json {
  const doc = document as { [key: string]: Json };
  const allPaths = inlineShared(doc.paths ?? {}, doc) as { [key: string]: Json };
  const paths = Object.fromEntries(
    Object.entries(allPaths).filter(([path]) => path === "/uploads" || path.startsWith("/uploads/")),
  );
  if (Object.keys(paths).length === 0) throw new Error("the upstream document has no /uploads paths");
  const schemas = ((doc.components as { [key: string]: Json } | undefined)?.schemas ?? {}) as { [key: string]: Json };
  const reached = schemaRefs(paths, new Set());
  for (const pending = [...reached]; pending.length > 0; ) {
    const name = pending.pop() as string;
    if (!(name in schemas))
      throw new Error(`the upstream document refers to #/components/schemas/${name}, which it lacks`);
    for (const next of schemaRefs(schemas[name] as Json, new Set())) {
      if (!reached.has(next)) {
        reached.add(next);
        pending.push(next);
      }
    }
  }
  const info = (doc.info ?? {}) as { [key: string]: Json };
  return {
    openapi: doc.openapi ?? "3.1.0",
    info: { title: "OpenAI Uploads API, upstream extract", version: info.version ?? "0", "x-upstream": { ...source } },
    paths: describeResponses(structureOf(paths)),
    components: {
      schemas: structureOf(Object.fromEntries([...reached].sort().map((name) => [name, schemas[name] as Json]))),
    },
  };
}

/**
 * `paths` with an empty `description` on every response, which OpenAPI requires of one: the
 * extract stays a valid document (and Prism mocks it) without carrying upstream's prose.
 */
function describeResponses(paths: Json): Json {
  for (const item of Object.values(paths as { [path: string]: { [method: string]: Json } })) {
    for (const operation of Object.values(item)) {
      const responses = (operation as { responses?: { [status: string]: { [key: string]: Json } } }).responses ?? {};
      for (const response of Object.values(responses)) response.description = "";
    }
  }
  return paths;
}

/** A deliberate difference from upstream, declared in openapi/corrections.yaml. */
export interface Correction {
  /** The JSON pointer of the corrected place in the spec (a subtree: every difference under it). */
  path: string;
  /** Why the spec differs there. */
  reason: string;
}

/** One difference between the spec and upstream, at a JSON pointer. */
export interface Difference {
  pointer: string;
  change: "added in the spec" | "missing from the spec" | "changed";
  ours: unknown;
  upstream: unknown;
}

/** What comparing the spec with upstream found. */
export interface Comparison {
  /** Differences no correction declares: drift, to act on. */
  drift: Difference[];
  /** Corrections that still cover a difference, with the differences they cover. */
  needed: Array<{ correction: Correction; differences: Difference[] }>;
  /** Corrections that cover no difference any more: upstream has caught up, they can go. */
  obsolete: Correction[];
}

const pointerOf = (path: readonly (string | number)[]) =>
  `/${path.map((part) => String(part).replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;

/** Whether `pointer` is `under` or inside it. */
const inside = (pointer: string, under: string) => pointer === under || pointer.startsWith(`${under}/`);

/**
 * Compares the structure of `spec`'s /uploads paths and their schemas with an upstream extract
 * (both cut by {@link extractUploads}), with microdiff, and sorts each difference under the
 * correction that declares it, or into drift.
 */
export function compareWithUpstream(spec: Json, upstream: Json, corrections: readonly Correction[]): Comparison {
  const cut = (doc: Json) => {
    const { paths, components } = extractUploads(doc, { source: "", commit: "" }) as { [key: string]: Json };
    return asSets({ paths, components } as Json) as { [key: string]: Json };
  };
  const differences: Difference[] = diff(cut(spec), cut(upstream)).map((entry) => {
    const pointer = pointerOf(entry.path);
    if (entry.type === "CREATE")
      return { pointer, change: "missing from the spec", ours: undefined, upstream: entry.value };
    if (entry.type === "REMOVE")
      return { pointer, change: "added in the spec", ours: entry.oldValue, upstream: undefined };
    return { pointer, change: "changed", ours: entry.oldValue, upstream: entry.value };
  });
  const needed = corrections.map((correction) => ({
    correction,
    differences: differences.filter((d) => inside(d.pointer, correction.path)),
  }));
  return {
    drift: differences.filter((d) => !corrections.some((c) => inside(d.pointer, c.path))),
    needed: needed.filter((entry) => entry.differences.length > 0),
    obsolete: needed.filter((entry) => entry.differences.length === 0).map((entry) => entry.correction),
  };
}
