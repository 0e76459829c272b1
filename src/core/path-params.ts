import { InvalidArgumentError } from "../errors/invalid-argument.js";

/**
 * Refuses path parameters that would address another resource. openapi-fetch percent-encodes
 * `/`, `?` and `#`, but `.` and `..` survive encoding and are resolved away by URL parsing.
 */
export function checkPathParams(operationId: string, params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== "string" || value.trim() === "") {
      throw new InvalidArgumentError(`${operationId}: ${name} must be a non-empty string, such as "upload_abc123".`);
    }
    if (value === "." || value === "..") {
      throw new InvalidArgumentError(`${operationId}: ${name} ${JSON.stringify(value)} is not an id.`);
    }
  }
}
