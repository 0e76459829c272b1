import { InvalidArgumentError } from "../errors/invalid-argument.js";

/**
 * Refuses path parameters that would address another resource. `expandPath` percent-encodes
 * `/`, `?` and `#`, but `.` and `..` survive encoding and are resolved away by URL parsing.
 */
export function checkPathParams(operationId: string, params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== "string" || value.trim() === "") {
      throw new InvalidArgumentError(`${name} must be a non-empty string, such as "upload_abc123" (${operationId}).`, {
        option: name,
      });
    }
    if (value === "." || value === "..") {
      throw new InvalidArgumentError(`${name} ${JSON.stringify(value)} is not an id (${operationId}).`, {
        option: name,
      });
    }
  }
}

/** A path template with its parameters filled in, percent-encoded: `/uploads/{upload_id}/parts` -> `/uploads/upload_1/parts`. */
export function expandPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
}
