import { describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  BadRequestError,
  CredentialError,
  FileChangedError,
  InternalServerError,
  InvalidArgumentError,
  NotFoundError,
  UnexpectedResponseError,
} from "../../src/index.js";
import { classifyFailure, type FailureVerdict, type UploadPhase } from "../../src/upload/upload-file.js";

const headers = new Headers();
const refusedRetry = new BadRequestError(400, { error: { message: "already completed" } }, headers, {
  attempts: 2,
  mayHaveTakenEffect: true,
});
const notFound = new NotFoundError(404, { error: { message: "No such upload" } }, headers);
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
    ["parts", new FileChangedError("changed"), calm, "bad-source"],
    ["parts", new InvalidArgumentError("the stream gave a string chunk"), calm, "bad-source"],
    // While parts go out, anything else leaves an upload a resume can finish.
    ["parts", new APIConnectionError("lost"), calm, "resumable"],
    ["parts", new InternalServerError(500, undefined, headers), calm, "resumable"],
    ["parts", garbage, calm, "resumable"],
    ["parts", refusedRetry, calm, "resumable"],
    // At complete, a lost answer may hide a completion, which completing again settles...
    ["complete", new APIConnectionError("lost"), calm, "resumable-maybe-completed"],
    ["complete", new APIConnectionTimeoutError(1000), calm, "resumable-maybe-completed"],
    ["complete", new InternalServerError(500, undefined, headers), calm, "resumable-maybe-completed"],
    [
      "complete",
      new InternalServerError(500, undefined, headers, { attempts: 3, mayHaveTakenEffect: true }),
      calm,
      "resumable-maybe-completed",
    ],
    // A credential that failed before a retry of complete: the earlier attempt may have completed it.
    [
      "complete",
      new CredentialError("apiKey", "threw; what it threw is the cause.", {
        history: { attempts: 1, mayHaveTakenEffect: true },
      }),
      calm,
      "resumable-maybe-completed",
    ],
    // One that failed before anything was sent, or after a plain refusal, completed nothing.
    ["complete", new CredentialError("apiKey", "threw; what it threw is the cause."), calm, "resumable"],
    ["parts", new CredentialError("apiKey", "threw; what it threw is the cause."), calm, "resumable"],
    // ...while garbage or a refused retry may hide one that nothing the client sends settles.
    ["complete", garbage, calm, "completion-unknown"],
    ["complete", refusedRetry, calm, "completion-unknown"],
    // A plain refusal of the first attempt did not complete anything.
    ["complete", refused, calm, "resumable"],
    // The server has no such upload (it expired, or was lost): nothing to resume, wherever it is found.
    ["parts", notFound, calm, "gone"],
    ["complete", notFound, calm, "gone"],
    // An answer that is not this upload, completed, of this size: nobody knows what completed.
    ["verify", new Error("came back pending"), calm, "completion-unknown"],
  ];
  it.each(table)("%s, %o, %o -> %s", (phase, error, facts, verdict) => {
    expect(classifyFailure(phase, error, facts)).toBe(verdict);
  });
});
