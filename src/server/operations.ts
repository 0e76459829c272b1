import type { IncomingMessage } from "node:http";
import { ApiError } from "./errors.js";
import { readJsonBody } from "./http.js";
import { receivePart } from "./parts.js";
import type { Route } from "./routes.js";
import type { UploadStore } from "./store.js";
import { validateCompleteUpload, validateCreateUpload } from "./validation.js";

/** What the operations need besides the request. */
export interface OperationContext {
  store: UploadStore;
  maxPartBytes: number;
  /** Told the size of every part that was stored, for the server's statistics. */
  onPartStored(bytes: number): void;
}

/**
 * Runs one operation and resolves with its 200 body, or rejects with the {@link ApiError} to
 * answer. The upload's state is checked before a body is read, so a request on an unknown or
 * closed upload fails fast (a 404 wins over a bad body) and a doomed part is never written.
 */
export async function runOperation(ctx: OperationContext, target: Route, req: IncomingMessage): Promise<unknown> {
  const { store } = ctx;
  switch (target.operationId) {
    case "createUpload":
      return store.create(validateCreateUpload(await readJsonBody(req)));
    case "addUploadPart": {
      const { partId, path } = store.reservePart(target.uploadId);
      const bytes = await receivePart(req, path, ctx.maxPartBytes);
      ctx.onPartStored(bytes);
      return store.addPart(target.uploadId, partId, bytes);
    }
    case "completeUpload":
      store.assertOpen(target.uploadId, "complete");
      return store.complete(target.uploadId, validateCompleteUpload(await readJsonBody(req)));
    case "cancelUpload":
      return store.cancel(target.uploadId);
    default: {
      // An operation added to the spec fails to compile here until the server implements it.
      const unimplemented: never = target;
      throw new ApiError(501, `The local server does not implement ${(unimplemented as Route).operationId}.`);
    }
  }
}
