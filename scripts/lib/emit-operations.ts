import { docComment } from "./emit-client.js";
import { successValidatorNames } from "./emit-validators.js";
import type { OperationPlan } from "./operation-plan.js";

/**
 * Emits `generated/operations.ts`: the operation table (method, path, path parameters, body
 * media type, the success body's validator and echoed parameters) that the client, the Node
 * part transport and the local server's router read instead of spelling any of it again.
 */
export function emitOperations(plans: OperationPlan[]): string {
  const validators = successValidatorNames(plans);
  const imports = [...new Set(validators.values())].sort();
  const entries = plans.map((op) => {
    const validator = validators.get(op.operationId);
    return `${docComment(`\`${op.method.toUpperCase()} ${op.path}\`: ${op.summary}.`, "  ")}  ${op.operationId}: {
    operationId: ${JSON.stringify(op.operationId)},
    method: ${JSON.stringify(op.method.toUpperCase())},
    path: ${JSON.stringify(op.path)},
    pathParams: ${JSON.stringify(op.pathParams.map((p) => p.name))},
    bodyMediaType: ${op.body ? JSON.stringify(op.body.mediaType) : "undefined"},
    fileFields: ${JSON.stringify(op.body?.mediaType === "multipart/form-data" ? op.body.fileFields : [])},
    successSchema: ${JSON.stringify(op.success?.schemaName ?? (op.success ? "the response" : undefined)) ?? "undefined"},
    validateSuccess: ${validator ?? "undefined"},
    echo: ${JSON.stringify(op.echo)},
  },
`;
  });
  return `import type { OperationSpec } from "../src/core/operation.js";
${imports.length ? `import { ${imports.join(", ")} } from "./response-validators.js";\n` : ""}
/** The spec's operations by operationId, as the runtime needs them. */
export const operations = {
${entries.join("")}} as const satisfies Record<string, OperationSpec>;

/** The operationIds of the spec, in document order. */
export const operationIds = [${plans.map((p) => JSON.stringify(p.operationId)).join(", ")}] as const;

/** The operationId of one of the spec's operations. */
export type OperationId = (typeof operationIds)[number];
`;
}
