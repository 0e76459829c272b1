import { resolve } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { redocly } from "./redocly.js";
import { SpecError } from "./spec-error.js";
import { pointerTokens, readYamlSource, type YamlSource } from "./yaml-source.js";

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/**
 * Loads a spec and proves it usable: YAML syntax, local `$ref`s, OpenAPI schema
 * (swagger-parser), an operationId on every operation, then the Redocly lint rules of
 * `redocly.yaml`. Throws a SpecError naming the file, the line and the problem.
 */
export async function checkSpec(specPath: string, lintConfig: string): Promise<YamlSource> {
  const source = await readYamlSource(specPath);
  checkLocalRefs(source);
  await validateSchema(specPath, source);
  checkOperationIds(source);
  await lint(specPath, source, lintConfig);
  return source;
}

function fail(source: YamlSource, pointer: string, problem: string): never {
  const pos = source.locate(pointer);
  throw new SpecError(source.file, problem, pos?.line, pos?.col);
}

function checkLocalRefs(source: YamlSource): void {
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(item, `${pointer}/${i}`);
      return;
    }
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      const here = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      if (key === "$ref" && typeof value === "string" && value.startsWith("#")) {
        if (resolvePointer(source.value, value) === undefined) {
          fail(source, here, `unresolved $ref "${value}": nothing exists at that pointer`);
        }
      } else {
        visit(value, here);
      }
    }
  };
  visit(source.value, "#");
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of pointerTokens(pointer)) {
    if (!node || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

interface SchemaProblem {
  instancePath?: string;
  message?: string;
  params?: { unevaluatedProperty?: string; additionalProperty?: string };
}

async function validateSchema(specPath: string, source: YamlSource): Promise<void> {
  try {
    await SwaggerParser.validate(resolve(specPath));
  } catch (error) {
    const details = (error as { details?: SchemaProblem[] }).details;
    const first = details?.[0];
    // ajv says only "must NOT have unevaluated properties": name the key, and point at its line.
    const unknownKey = first?.params?.unevaluatedProperty ?? first?.params?.additionalProperty;
    if (first?.instancePath !== undefined && unknownKey !== undefined) {
      fail(
        source,
        `#${first.instancePath}/${unknownKey.replaceAll("~", "~0").replaceAll("/", "~1")}`,
        `not a valid OpenAPI document: "${unknownKey}" is not allowed in ${first.instancePath || "/"} (misspelt, or in the wrong place?)`,
      );
    }
    if (first?.instancePath !== undefined) {
      fail(
        source,
        `#${first.instancePath}`,
        `not a valid OpenAPI document: ${first.instancePath || "/"} ${first.message}`,
      );
    }
    const message = (error as Error).message.split("\n").filter(Boolean);
    throw new SpecError(source.file, `not a valid OpenAPI document: ${message.join(" ").replace(/\s+/g, " ")}`);
  }
}

function checkOperationIds(source: YamlSource): void {
  const paths = (source.value as { paths?: Record<string, Record<string, { operationId?: unknown }>> }).paths ?? {};
  const seen = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const pointer = `#/paths/${path.replaceAll("/", "~1")}/${method}`;
      const id = operation.operationId;
      if (typeof id !== "string" || !/^[A-Za-z_$][\w$]*$/.test(id)) {
        fail(
          source,
          pointer,
          `${method.toUpperCase()} ${path} needs an operationId that is a JavaScript identifier (it names the generated function)`,
        );
      }
      if (seen.has(id)) fail(source, `${pointer}/operationId`, `operationId "${id}" is used twice`);
      seen.add(id);
    }
  }
}

interface LintProblem {
  ruleId: string;
  severity: string;
  message: string;
  location: Array<{ pointer?: string; start?: { line: number; col: number } }>;
}

async function lint(specPath: string, source: YamlSource, lintConfig: string): Promise<void> {
  let stdout: string;
  try {
    stdout = await redocly(["lint", specPath, "--config", lintConfig, "--format", "json"]);
  } catch (error) {
    throw new SpecError(source.file, (error as Error).message);
  }
  const report = JSON.parse(stdout) as { problems: LintProblem[] };
  const errors = report.problems.filter((p) => p.severity === "error");
  if (errors.length === 0) return;
  const lines = errors.map((p) => {
    const where = p.location[0];
    const pos = where?.start ?? (where?.pointer ? source.locate(where.pointer) : undefined);
    return `${source.file}${pos ? `:${pos.line}:${pos.col}` : ""}: ${p.message} (lint rule ${p.ruleId})`;
  });
  const first = errors[0]?.location[0];
  const firstPos = first?.start;
  const more = lines.length > 1 ? `\n${lines.slice(1).join("\n")}` : "";
  throw new SpecError(
    source.file,
    `${errors[0]?.message} (lint rule ${errors[0]?.ruleId})${more}`,
    firstPos?.line,
    firstPos?.col,
  );
}
