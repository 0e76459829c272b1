import { pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

/**
 * Emits the openapi-typescript declarations (`paths`, `components`, `operations`) for a
 * spec. `format: binary` becomes `Blob`, matched on the schema's format rather than its
 * location, so a `$ref`'d binary schema is typed the same way.
 */
export async function emitSchema(specPath: string): Promise<string> {
  const ast = await openapiTS(pathToFileURL(specPath), {
    transform(schema) {
      if (schema.format !== "binary") return undefined;
      return schema.nullable ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
    },
  });
  return astToString(ast);
}
