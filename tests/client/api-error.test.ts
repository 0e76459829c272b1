import { describe, expect, it } from "vitest";
import { apiErrorFor } from "../../src/errors/api-error.js";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "../../src/index.js";
import { errorBody } from "./support.js";

const NO_HEADERS = new Headers();

describe("the class of an error answer", () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [599, InternalServerError],
  ])("is chosen by the status: %i", (status, Class) => {
    const error = apiErrorFor(status, errorBody("no"), NO_HEADERS);
    expect(error).toBeInstanceOf(Class);
    // The name survives minification, so it is what logs and `--json` show.
    expect(error.name).toBe(Class.name);
    expect(error.status).toBe(status);
  });

  it.each([402, 405, 418, 499])("is APIError itself for a status without its own: %i", (status) => {
    const error = apiErrorFor(status, errorBody("no"), NO_HEADERS);
    expect(error.constructor).toBe(APIError);
    expect(error.name).toBe("APIError");
  });
});

describe("an error answer's message", () => {
  it("ends with the request id only when there is one", () => {
    expect(apiErrorFor(400, errorBody("Bad"), new Headers({ "x-request-id": "req_1" })).message).toBe(
      "400 Bad [request id req_1]",
    );
    expect(apiErrorFor(400, errorBody("Bad"), NO_HEADERS).message).toBe("400 Bad");
  });

  it.each([
    ["text with space around it, trimmed", "  upstream timed out \n", "upstream timed out"],
    ["text of only spaces", "  \n ", "(empty body)"],
    ["null", null, "(empty body)"],
    ["nothing", undefined, "(empty body)"],
    ["a message field", { message: "quota exceeded" }, "quota exceeded"],
    ["a problem title", { title: "Bad Gateway", status: 502 }, "Bad Gateway"],
    ["a problem detail", { detail: "no route" }, "no route"],
    ["an empty title before a detail", { title: "", detail: "no route" }, "no route"],
    ["a message that is not text, before a title", { message: 7, title: "Teapot" }, "Teapot"],
    [
      "Prism's violations, with and without a location",
      {
        title: "Invalid request",
        validation: [
          { location: ["request", "body", "bytes"], message: "must be integer" },
          { message: "must have required property 'purpose'" },
          { location: "body", message: "must be object" },
        ],
      },
      "Invalid request; request.body.bytes must be integer; must have required property 'purpose'; must be object",
    ],
    ["violations without a title", { validation: [{ location: ["query"], message: "bad" }] }, "query bad"],
    ["violations that are not a list", { title: "Invalid", validation: "many" }, "Invalid"],
    ["an error field that is not OpenAI's", { error: "denied" }, '{"error":"denied"}'],
    ["an error object without a text message", { error: { message: 5 } }, '{"error":{"message":5}}'],
  ])("names the problem of a body that is %s", (_, body, described) => {
    const error = apiErrorFor(502, body, NO_HEADERS);
    expect(error.message).toBe(`502 ${described}`);
    expect(error.error).toBeUndefined();
    expect(error.body).toBe(body);
  });

  it("cuts a long body to 500 characters, text or JSON", () => {
    expect(apiErrorFor(502, `${"a".repeat(600)}`, NO_HEADERS).message).toBe(`502 ${"a".repeat(500)}`);
    const json = apiErrorFor(502, { reason: "b".repeat(600) }, NO_HEADERS).message;
    expect(json).toBe(`502 ${`{"reason":"${"b".repeat(600)}"}`.slice(0, 500)}`);
    const titled = apiErrorFor(502, { title: "c".repeat(600) }, NO_HEADERS).message;
    expect(titled).toBe(`502 ${"c".repeat(500)}`);
  });

  it("keeps OpenAI's error object as error, its message whole", () => {
    const body = errorBody("x".repeat(600));
    const error = apiErrorFor(400, body, NO_HEADERS);
    expect(error.error).toEqual(body.error);
    expect(error.message).toBe(`400 ${"x".repeat(600)}`);
  });
});

describe("an error answer's history", () => {
  it("is one attempt, not carried out, unless told", () => {
    expect(apiErrorFor(400, null, NO_HEADERS)).toMatchObject({ attempts: 1, mayHaveTakenEffect: false });
    expect(apiErrorFor(400, null, NO_HEADERS, { attempts: 3, mayHaveTakenEffect: true })).toMatchObject({
      attempts: 3,
      mayHaveTakenEffect: true,
    });
  });
});
