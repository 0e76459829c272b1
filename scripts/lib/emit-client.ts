import type { OperationPlan } from "./operation-plan.js";

const camel = (name: string) => name.replace(/[-_.]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

/** A TSDoc comment of `text`, indented. */
export function docComment(text: string, indent: string): string {
  const lines = text.replaceAll("*/", "*\\/").split("\n");
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ""}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

function emitOperation(op: OperationPlan): string {
  const opType = `paths[${JSON.stringify(op.path)}][${JSON.stringify(op.method)}]`;
  const pathNames = op.pathParams.map((p) => p.name);
  const args: string[] = pathNames.map((p) => `${camel(p)}: ${opType}["parameters"]["path"][${JSON.stringify(p)}]`);
  const queryRequired = op.query.some((p) => p.required);
  if (op.query.length) args.push(`query${queryRequired ? "" : "?"}: ${opType}["parameters"]["query"]`);
  if (op.body) {
    const bodyType = `NonNullable<${opType}["requestBody"]>["content"][${JSON.stringify(op.body.mediaType)}]`;
    args.push(`body${op.body.required ? "" : "?"}: ${bodyType}`);
  }
  args.push("options?: Options");
  const pathObject = pathNames.length
    ? `{ ${pathNames.map((p) => `${JSON.stringify(p)}: ${camel(p)}`).join(", ")} }`
    : "{}";
  const parts = [
    pathNames.length ? `path: ${pathObject}` : "",
    op.query.length ? "query" : "",
    op.body ? "body" : "",
  ].filter(Boolean);
  const result = `SuccessBody<${opType}>`;
  return `${docComment(op.doc || op.operationId, "    ")}    ${op.operationId}(${args.join(", ")}): Promise<${result} & RequestIdentified> {
      return invoke<${result}>({
        operation: operations.${op.operationId},
        pathParams: ${pathObject},
        options,
        send: (init) => send(operations.${op.operationId}, { ${parts.join(", ")} }, init),
      });
    },
`;
}

/**
 * Emits `generated/client.ts`: one typed function per operation. Only what varies per
 * operation is here (its name, argument types and table entry); how a request is built and
 * sent is src/core/request.ts, and the runtime contract src/core/operation.ts.
 */
export function emitClient(plans: OperationPlan[]): string {
  return `import type { Invoke, RequestIdentified, SuccessBody } from "../src/core/operation.js";
import type { SendOperation } from "../src/core/request.js";
import { operations } from "./operations.js";
import type { paths } from "./schema.js";

/** The spec's operations as typed functions: path parameters in path order, then the query, the body, then options. */
export function createOperations<Options>(send: SendOperation, invoke: Invoke<Options>) {
  return {
${plans.map(emitOperation).join("")}  };
}

/** The object of typed operation functions made by \`createOperations\`. */
export type Operations<Options> = ReturnType<typeof createOperations<Options>>;
`;
}
