import { writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withoutSecrets } from "../../src/core/secrets.js";
import {
  APIError,
  createAzureUploadsClient,
  createUploadsClient,
  UnexpectedResponseError,
  UploadFileError,
  uploadFile,
} from "../../src/index.js";
import { tempDir } from "../support/temp.js";
import { UPLOAD } from "./support.js";

const KEY = "sk-quoted-back-by-the-server-0123456789";

/** What a request authenticated with: the credential headers, as a server that echoes would quote them. */
const quoted = (headers: IncomingHttpHeaders) =>
  `you sent authorization=${headers.authorization ?? "-"} api-key=${headers["api-key"] ?? "-"}` +
  (headers["proxy-authorization"] ? ` proxy-authorization=${headers["proxy-authorization"]}` : "") +
  (headers["x-api-key"] ? ` x-api-key=${headers["x-api-key"]}` : "");

/**
 * A server that quotes each request's credentials back everywhere an answer can reach an
 * error: the error body, a header, a 2xx body that is not JSON, one about another upload.
 * Its first path segment names the kind of answer. Asked with an absolute URI, it is a plain
 * http proxy that answers for the host itself, quoting its Proxy-Authorization too.
 */
function echoingServer(): Server {
  return createServer((req, res) => {
    const echo = quoted(req.headers);
    const kind = new URL(req.url ?? "/", "http://echo.test").pathname.split("/")[1];
    req.resume();
    req.on("end", () => {
      const send = (status: number, body: string, type = "application/json") => {
        res.writeHead(status, { "content-type": type, "x-echo": echo, "x-request-id": `req ${echo}` });
        res.end(body);
      };
      const error = { error: { message: echo, type: "invalid_request_error", param: echo, code: null }, echo };
      if (kind === "status-400" || kind === "status-500") return send(Number(kind.slice(7)), JSON.stringify(error));
      if (kind === "not-json") return send(200, `<html>${echo}</html>`, "text/html");
      // The excerpt of a body that is not JSON is its first 40 characters: the cut falls inside the key.
      if (kind === "cut-in-key") return send(200, echo, "text/plain");
      // Answered late, so that calls in parallel have all asked for their credential first.
      if (kind === "late-500") return setTimeout(() => send(500, JSON.stringify(error)), 50);
      if (kind === "another-upload") return send(200, JSON.stringify({ ...UPLOAD, id: `upload_x ${echo}` }));
      // The key right after a control character, which JSON writes as an escape (\b): "\\b" + key.
      if (kind === "after-escape") return send(400, JSON.stringify({ message: `\b${KEY}` }));
      // "parts": the upload is created; each part fails.
      if (req.url?.endsWith("/uploads")) return send(200, JSON.stringify({ ...UPLOAD, bytes: 5 }));
      send(400, JSON.stringify(error));
    });
  });
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = echoingServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Everything of an error a log could print: inspected whole, causes, fields and stack included, and its headers' entries. */
function everythingIn(error: unknown): string {
  const headers = (error as { headers?: Headers }).headers;
  return [inspect(error, { depth: null }), (error as Error).stack, JSON.stringify([...(headers ?? [])])].join("\n");
}

/** Whether any 8 characters in a row of `secret` show in `text`: a key cut short leaks too. */
function leaks(text: string, secret: string): boolean {
  for (let at = 0; at + 8 <= secret.length; at++) if (text.includes(secret.slice(at, at + 8))) return true;
  return false;
}

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("the call succeeded");
}

const client = (kind: string, apiKey: string | (() => string) = KEY) =>
  createUploadsClient({ apiKey, baseUrl: `${base}/${kind}`, maxRetries: 0 });

describe("a server that quotes the request's key back", () => {
  it("gets an APIError that says what it said, the key taken out of the message, body, error and headers", async () => {
    for (const kind of ["status-400", "status-500"]) {
      const error = (await failure(() => client(kind).cancelUpload("upload_1"))) as APIError;
      expect(error).toBeInstanceOf(APIError);
      expect(error.message).toContain("you sent authorization=Bearer [redacted] api-key=-");
      expect(error.error?.param).toBe("you sent authorization=Bearer [redacted] api-key=-");
      expect(error.headers.get("x-echo")).toBe("you sent authorization=Bearer [redacted] api-key=-");
      expect(error.requestId).toBe("req you sent authorization=Bearer [redacted] api-key=-");
      expect(leaks(everythingIn(error), KEY)).toBe(false);
    }
  });

  it("gets an UnexpectedResponseError without the key, even where the excerpt cuts into it", async () => {
    // The second key has characters JSON escapes, so a message quoting a value as JSON would change it.
    for (const key of [KEY, 'sk-"odd"\\key-0123456789']) {
      for (const kind of ["not-json", "cut-in-key", "another-upload"]) {
        const error = await failure(() => client(kind, key).cancelUpload("upload_1"));
        expect(error).toBeInstanceOf(UnexpectedResponseError);
        expect(everythingIn(error)).toContain("[redacted]");
        expect(leaks(everythingIn(error), key), `${kind} ${key}`).toBe(false);
      }
    }
  });

  it("keeps every token a credential function gave out of the errors of calls in parallel", async () => {
    const tokens: string[] = [];
    const rotating = () => {
      tokens.push(`${KEY}-rotated-${tokens.length}`);
      return tokens.at(-1) as string;
    };
    const rotatingClient = client("late-500", rotating);
    // Each call's token is asked for before any answer comes back, the others' after it.
    const errors = await Promise.all(
      Array.from({ length: 9 }, () => failure(() => rotatingClient.cancelUpload("upload_1"))),
    );
    expect(tokens).toHaveLength(9);
    errors.forEach((error, i) => {
      expect((error as Error).message).toContain("Bearer [redacted]");
      for (const token of tokens) expect(leaks(everythingIn(error), token), `error ${i}`).toBe(false);
    });
  });

  it("keeps a call's own authorization header, and Azure's api-key, out of the error", async () => {
    const own = `${KEY}-of-the-call`;
    const byCall = await failure(() =>
      client("status-400").cancelUpload("upload_1", { headers: { Authorization: `Bearer ${own}` } }),
    );
    expect((byCall as Error).message).toContain("authorization=Bearer [redacted]");
    expect(leaks(everythingIn(byCall), own)).toBe(false);

    const azure = await failure(() =>
      createAzureUploadsClient({ endpoint: `${base}/status-400`, apiKey: KEY, maxRetries: 0 }).cancelUpload("upload_1"),
    );
    expect((azure as Error).message).toContain("api-key=[redacted]");
    expect(leaks(everythingIn(azure), KEY)).toBe(false);
  });

  it("keeps the key out of uploadFile's failure, its parts sent with node:http", async () => {
    const file = join(await tempDir("client-secrets-"), "a.txt");
    await writeFile(file, "hello");
    const error = await failure(() => uploadFile(client("parts"), { file, purpose: "batch" }));
    expect(error).toBeInstanceOf(UploadFileError);
    expect(everythingIn(error)).toContain("Bearer [redacted]");
    expect(leaks(everythingIn(error), KEY)).toBe(false);
  });

  // The second password has a % that starts no escape: kept as typed, as curl keeps it, not a URIError.
  it.each(["proxy-password-0123456789", "proxy-pa%ss-0123456789"])(
    "keeps a proxy's credentials (password %s) out of the error, the JSON call's and uploadFile's",
    async (password) => {
      const basic = Buffer.from(`someone:${password}`).toString("base64");
      const proxied = createUploadsClient({
        apiKey: KEY,
        baseUrl: "http://uploads.test/parts",
        proxy: `http://someone:${password}@127.0.0.1:${(server.address() as AddressInfo).port}`,
        allowInsecureHttp: true,
        maxRetries: 0,
      });
      const file = join(await tempDir("client-secrets-"), "a.txt");
      await writeFile(file, "hello");
      for (const error of [
        await failure(() => proxied.cancelUpload("upload_1")),
        await failure(() => uploadFile(proxied, { file, purpose: "batch" })),
      ]) {
        expect(everythingIn(error)).toContain("proxy-authorization=Basic [redacted]");
        for (const secret of [KEY, basic]) expect(leaks(everythingIn(error), secret)).toBe(false);
      }
    },
  );

  it("keeps a gateway's key in the client's headers out of the error", async () => {
    const gateway = "gateway-secret-0123456789";
    const error = await failure(() =>
      createUploadsClient({
        apiKey: KEY,
        baseUrl: `${base}/status-400`,
        headers: { "x-api-key": gateway },
        maxRetries: 0,
      }).cancelUpload("upload_1"),
    );
    expect((error as Error).message).toContain("x-api-key=[redacted]");
    expect(leaks(everythingIn(error), gateway)).toBe(false);
  });

  it("redacts a key that follows an escaped character, and headers of a custom fetch's own class", async () => {
    const escaped = await failure(() => client("after-escape").cancelUpload("upload_1"));
    expect(escaped).toBeInstanceOf(APIError);
    expect((escaped as Error).message).toBe(
      "400 \b[redacted] [request id req you sent authorization=Bearer [redacted] api-key=-]",
    );
    // A 401 without a body, its headers not node's Headers (another realm's, a mock's): still an APIError.
    const entries: Array<[string, string]> = [["x-echo", `you sent Bearer ${KEY}`]];
    const foreign = {
      get: (name: string) => entries.find(([key]) => key === name)?.[1] ?? null,
      has: (name: string) => entries.some(([key]) => key === name),
      entries: () => entries[Symbol.iterator](),
      [Symbol.iterator]: () => entries[Symbol.iterator](),
    };
    const answered = await failure(() =>
      createUploadsClient({
        apiKey: KEY,
        baseUrl: "https://api.example.test/v1",
        maxRetries: 0,
        fetch: async () => Object.defineProperty(new Response(null, { status: 401 }), "headers", { value: foreign }),
      }).cancelUpload("upload_1"),
    );
    expect(answered).toBeInstanceOf(APIError);
    expect((answered as APIError).headers.get("x-echo")).toBe("you sent Bearer [redacted]");
  });

  it("leaves an answer alone when no credential of 8 characters or more was sent", async () => {
    const error = await failure(() => client("status-400", "sk-tiny").cancelUpload("upload_1"));
    expect((error as Error).message).toContain("authorization=Bearer sk-tiny");
    // Nor is an unset variable spelled into a header a secret: "undefined" stays a word.
    const unset = await failure(() =>
      client("status-400").cancelUpload("upload_1", { headers: { Authorization: "Bearer undefined" } }),
    );
    expect((unset as Error).message).toContain("authorization=Bearer undefined");
  });
});

describe("taking secrets out of a text", () => {
  it.each([
    ["a whole secret", "key sk-abcdefgh-123 here", ["sk-abcdefgh-123"], "key [redacted] here"],
    ["a start cut short", "...sk-abcdefgh-1", ["sk-abcdefgh-123"], "...[redacted]"],
    ["a start under 8 characters, left", "sk-abcd", ["sk-abcdefgh-123"], "sk-abcd"],
    ["two that overlap", "x abcdefgh1234zyxwvuts y", ["abcdefgh1234", "1234zyxwvuts"], "x [redacted] y"],
    ["one inside another", "x aaaaaaaa-bbbbbbbb y", ["bbbbbbbb", "aaaaaaaa-bbbbbbbb"], "x [redacted] y"],
    ["two run together", "abcdefgh12345678", ["abcdefgh", "12345678"], "[redacted]"],
    ["each of several apart", "k1=abcdefgh1 k2=12345678x", ["abcdefgh1", "12345678x"], "k1=[redacted] k2=[redacted]"],
    ["none", "nothing to see", ["abcdefgh1"], "nothing to see"],
  ])("%s", (_name, text, secrets, expected) => {
    expect(withoutSecrets(text, secrets)).toBe(expected);
  });
});
