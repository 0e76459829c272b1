import type { IncomingMessage } from "node:http";
import type { OperationId, operations } from "../../generated/operations.js";
import { readJsonBody } from "./http.js";
import { receivePart } from "./parts.js";
import type { UploadStore } from "./store.js";
import { checkCreateUpload, validateBody } from "./validation.js";

/** What the handlers need besides the request. */
export interface OperationContext {
  store: UploadStore;
  maxPartBytes: number;
  /** Told the size of every part that was stored, for the server's statistics. */
  onPartStored(bytes: number): void;
}

/** The path parameters of an operation, by their names in the spec. */
type PathParams<Id extends OperationId> = Record<(typeof operations)[Id]["pathParams"][number], string>;

/** Runs one operation and resolves with its 200 body, or rejects with the `ApiError` to answer. */
type Handler<Id extends OperationId> = (
  ctx: OperationContext,
  params: PathParams<Id>,
  req: IncomingMessage,
) => Promise<unknown>;

/**
 * The local server's implementation of each operation of the spec: the one hand-written part
 * of adding an operation. An operation added to the spec is a compile error here, naming it,
 * until it has a handler. The upload's state is checked before a body is read, so a request
 * on an unknown or closed upload fails fast (a 404 wins over a bad body) and a doomed part is
 * never written.
 */
export const handlers: { [Id in OperationId]: Handler<Id> } = {
  createUpload: async ({ store }, _params, req) =>
    store.create(checkCreateUpload(validateBody("createUpload", await readJsonBody(req)))),
  addUploadPart: async (ctx, { upload_id }, req) => {
    const part = ctx.store.reservePart(upload_id, ctx.maxPartBytes);
    let bytes: number;
    try {
      bytes = await receivePart(req, part.path, part.limits);
    } catch (error) {
      part.release();
      throw error;
    }
    ctx.onPartStored(bytes);
    return part.commit(bytes);
  },
  completeUpload: async ({ store }, { upload_id }, req) => {
    store.assertOpen(upload_id, "complete");
    return store.complete(upload_id, validateBody("completeUpload", await readJsonBody(req)));
  },
  cancelUpload: async ({ store }, { upload_id }) => store.cancel(upload_id),
};
