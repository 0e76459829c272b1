import { describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  BadRequestError,
  FileChangedError,
  InternalServerError,
  UnexpectedResponseError,
} from "../../src/index.js";
import { classifyFailure, type FailureVerdict, type UploadPhase } from "../../src/upload/upload-file.js";

const headers = new Headers();
const refusedRetry = new BadRequestError(400, { error: { message: "already completed" } }, headers, {
  attempts: 2,
  mayHaveTakenEffect: true,
});
const refused = new BadRequestError(400, { error: { message: "bad part id" } }, headers);
const garbage = new UnexpectedResponseError({
  operationId: "completeUpload",
  status: 200,
  requestId: undefined,
  pointer: "",
  problem: "is not JSON",
  body: "<html>",
});
const calm = { aborted: false, callbackThrew: false };

describe("classifyFailure: what a failure after create means for the caller", () => {
  const table: Array<[UploadPhase, unknown, typeof calm, FailureVerdict]> = [
    // What the caller did, or the file did, wins over where it happened.
    ["parts", new Error("x"), { aborted: false, callbackThrew: true }, "callback"],
    ["complete", new Error("x"), { aborted: true, callbackThrew: true }, "callback"],
    ["parts", new Error("x"), { aborted: true, callbackThrew: false }, "abort"],
    ["complete", new APIConnectionError("lost"), { aborted: true, callbackThrew: false }, "abort"],
    ["parts", new FileChangedError("changed"), calm, "file-changed"],
    // While parts go out, anything else leaves an upload a resume can finish.
    ["parts", new APIConnectionError("lost"), calm, "resumable"],
    ["parts", new InternalServerError(500, undefined, headers), calm, "resumable"],
    ["parts", garbage, calm, "resumable"],
    ["parts", refusedRetry, calm, "resumable"],
    // At complete, an answer that was lost, garbage, or a refused retry may hide a completion.
    ["complete", new APIConnectionError("lost"), calm, "completion-unknown"],
    ["complete", new APIConnectionTimeoutError(1000), calm, "completion-unknown"],
    ["complete", garbage, calm, "completion-unknown"],
    ["complete", refusedRetry, calm, "completion-unknown"],
    // A plain refusal of the first attempt did not complete anything; a 5xx of it may have.
    ["complete", refused, calm, "resumable"],
    ["complete", new InternalServerError(500, undefined, headers), calm, "completion-unknown"],
    // An answer that is not this upload, completed, of this size: nobody knows what completed.
    ["verify", new Error("came back pending"), calm, "completion-unknown"],
  ];
  it.each(table)("%s, %o, %o -> %s", (phase, error, facts, verdict) => {
    expect(classifyFailure(phase, error, facts)).toBe(verdict);
  });
});
