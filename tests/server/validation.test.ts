import { describe, expect, it } from "vitest";
import { refusal } from "../../src/server/validation.js";

/** The param and message of the 400 for one validator error. */
const refused = (error: Parameters<typeof refusal>[0] & { data?: unknown }) => {
  const { status, param, message } = refusal(error) as unknown as {
    status: number;
    param: string | null;
    message: string;
  };
  return { status, param, message };
};

describe("a refusal for a keyword or bound the spec does not use today", () => {
  it("names the parameter and the keyword", () => {
    expect(refused({ keyword: "minLength", instancePath: "/filename", params: { limit: 1 } })).toEqual({
      status: 400,
      param: "filename",
      message: "Invalid value for 'filename': it fails the spec's minLength.",
    });
  });

  it("names the body when the keyword is the whole body's", () => {
    expect(refused({ keyword: "minProperties", instancePath: "", params: {} })).toEqual({
      status: 400,
      param: null,
      message: "Invalid value for 'the body': it fails the spec's minProperties.",
    });
  });

  it.each([
    [{ minimum: 1, maximum: 9 }, "from 1 to 9"],
    [{ minimum: 1 }, "of at least 1"],
    [{ maximum: 9 }, "of at most 9"],
  ])("says the range of a bound %j", (parentSchema, range) => {
    const error = { keyword: "maximum", instancePath: "/n", params: {}, parentSchema, data: 10 };
    expect(refused(error).message).toBe(`Invalid value for 'n': 10 is out of range; send an integer ${range}.`);
  });

  it("writes a path's list indexes of any length in brackets, and keeps a name that only starts with a digit", () => {
    expect(refused({ keyword: "type", instancePath: "/part_ids/12", params: { type: "string" }, data: 1 }).param).toBe(
      "part_ids[12]",
    );
    const extra = { keyword: "additionalProperties", instancePath: "", params: { additionalProperty: "9lives" } };
    expect(refused({ ...extra, parentSchema: { properties: { a: {} } } }).param).toBe("9lives");
  });
});
