import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CredentialError, createAzureUploadsClient, InvalidArgumentError } from "../../src/index.js";
import { rejection } from "../support/rejection.js";
import { UPLOAD } from "./support.js";

const KEY = "azure-key-secret-0123";

/** A fetch that answers every request with a cancelled upload, recording URL and auth headers. */
function recording() {
  const seen: Array<{ url: string; apiKey: string | null; authorization: string | null }> = [];
  const fetch = async (request: Request) => {
    seen.push({
      url: request.url,
      apiKey: request.headers.get("api-key"),
      authorization: request.headers.get("authorization"),
    });
    return new Response(JSON.stringify(UPLOAD), { headers: { "content-type": "application/json" } });
  };
  return { fetch, seen };
}

describe("createAzureUploadsClient", () => {
  // A developer's shell may export these; each test sets the ones it is about.
  beforeEach(() => {
    for (const name of ["AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"]) vi.stubEnv(name, "");
  });
  afterEach(() => vi.unstubAllEnvs());

  it("sends only its own credential: a client header of the other kind is dropped", async () => {
    const withKey = recording();
    await createAzureUploadsClient({
      endpoint: "https://res.openai.azure.com",
      apiKey: KEY,
      headers: { Authorization: "Bearer sk-openai-key" },
      fetch: withKey.fetch,
    }).cancelUpload("upload_1");
    expect(withKey.seen[0]).toMatchObject({ apiKey: KEY, authorization: null });
    const withToken = recording();
    await createAzureUploadsClient({
      endpoint: "https://res.openai.azure.com",
      azureADTokenProvider: () => "entra-token",
      headers: { "api-key": "stale-key" },
      fetch: withToken.fetch,
    }).cancelUpload("upload_1");
    expect(withToken.seen[0]).toMatchObject({ apiKey: null, authorization: "Bearer entra-token" });
    // A token as it is, the Python SDK's azure_ad_token, even with a key in the environment.
    vi.stubEnv("AZURE_OPENAI_API_KEY", KEY);
    const withStaticToken = recording();
    await createAzureUploadsClient({
      endpoint: "https://res.openai.azure.com",
      azureADToken: " entra-token-2\r\n",
      fetch: withStaticToken.fetch,
    }).cancelUpload("upload_1");
    expect(withStaticToken.seen[0]).toMatchObject({ apiKey: null, authorization: "Bearer entra-token-2" });
  });

  it("with apiVersion: the /openai paths, api-version on every request, the key as api-key", async () => {
    const { fetch, seen } = recording();
    const client = createAzureUploadsClient({
      endpoint: "https://res.openai.azure.com/",
      apiVersion: "2024-10-21",
      apiKey: KEY,
      fetch,
    });
    await client.cancelUpload("upload_1");
    expect(seen).toEqual([
      {
        url: "https://res.openai.azure.com/openai/uploads/upload_1/cancel?api-version=2024-10-21",
        apiKey: KEY,
        authorization: null,
      },
    ]);
    expect(client.baseUrl).toBe("https://res.openai.azure.com/openai");
  });

  it("without apiVersion, or with v1: the v1 API, with no api-version", async () => {
    for (const apiVersion of [undefined, "v1"]) {
      const { fetch, seen } = recording();
      await createAzureUploadsClient({
        endpoint: "https://res.openai.azure.com",
        apiVersion,
        apiKey: KEY,
        fetch,
      }).cancelUpload("upload_1");
      expect(seen.map((s) => s.url)).toEqual(["https://res.openai.azure.com/openai/v1/uploads/upload_1/cancel"]);
    }
  });

  it.each([
    "https://res.openai.azure.com/openai",
    "https://res.openai.azure.com/openai/",
    "https://res.openai.azure.com/openai/v1",
  ])("takes the endpoint copied with its API path (%s)", async (endpoint) => {
    const { fetch, seen } = recording();
    await createAzureUploadsClient({ endpoint, apiVersion: "2024-10-21", apiKey: KEY, fetch }).cancelUpload("upload_1");
    expect(seen[0]?.url).toBe("https://res.openai.azure.com/openai/uploads/upload_1/cancel?api-version=2024-10-21");
  });

  it("keeps a gateway's path before /openai", async () => {
    const { fetch, seen } = recording();
    await createAzureUploadsClient({ endpoint: "https://apim.example/team-a", apiKey: KEY, fetch }).cancelUpload(
      "upload_1",
    );
    expect(seen[0]?.url).toBe("https://apim.example/team-a/openai/v1/uploads/upload_1/cancel");
  });

  it("reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION for what is not passed", async () => {
    vi.stubEnv("AZURE_OPENAI_ENDPOINT", "https://env.openai.azure.com");
    vi.stubEnv("AZURE_OPENAI_API_KEY", KEY);
    vi.stubEnv("OPENAI_API_VERSION", "2025-04-01-preview");
    const { fetch, seen } = recording();
    await createAzureUploadsClient({ fetch }).cancelUpload("upload_1");
    expect(seen).toEqual([
      {
        url: "https://env.openai.azure.com/openai/uploads/upload_1/cancel?api-version=2025-04-01-preview",
        apiKey: KEY,
        authorization: null,
      },
    ]);
  });

  it("asks azureADTokenProvider for a token before each request and sends it as Bearer, even with a key in the environment", async () => {
    vi.stubEnv("AZURE_OPENAI_API_KEY", KEY);
    let n = 0;
    const azureADTokenProvider = vi.fn(async () => `entra-token-${++n}`);
    const { fetch, seen } = recording();
    const client = createAzureUploadsClient({ endpoint: "https://res.openai.azure.com", azureADTokenProvider, fetch });
    await client.cancelUpload("upload_1");
    await client.cancelUpload("upload_1");
    expect(seen.map((s) => [s.authorization, s.apiKey])).toEqual([
      ["Bearer entra-token-1", null],
      ["Bearer entra-token-2", null],
    ]);
  });

  it.each([
    [
      "throws",
      () => Promise.reject(new Error("login required")),
      /^azureADTokenProvider threw; what it threw is the cause\.$/,
    ],
    [
      "gives a non-string",
      () => ({ token: "entra-token-secret" }),
      /^azureADTokenProvider gave object, not a string\.$/,
    ],
  ])(
    "with a provider that %s, fails the call with a CredentialError naming it, sending nothing",
    async (_name, provider, message) => {
      const { fetch, seen } = recording();
      const client = createAzureUploadsClient({
        endpoint: "https://res.openai.azure.com",
        azureADTokenProvider: provider as () => Promise<string>,
        fetch,
      });
      const error = await rejection(client.cancelUpload("upload_1"), CredentialError);
      expect(error.message).toMatch(message);
      expect(error.option).toBe("azureADTokenProvider");
      expect(seen).toEqual([]);
    },
  );

  const refused: Array<[string, Parameters<typeof createAzureUploadsClient>[0], RegExp, string]> = [
    ["no endpoint", { apiKey: KEY }, /No Azure OpenAI endpoint: AZURE_OPENAI_ENDPOINT is empty or unset/, "endpoint"],
    [
      "an endpoint that is not a URL",
      { endpoint: "res.openai.azure.com", apiKey: KEY },
      /endpoint "res.openai.azure.com" is not a URL; use e.g. https:\/\/RESOURCE.openai.azure.com/,
      "endpoint",
    ],
    [
      "plain http to another host",
      { endpoint: "http://res.openai.azure.com", apiKey: KEY },
      /clear text/,
      "allowInsecureHttp",
    ],
    [
      "no credential",
      { endpoint: "https://res.openai.azure.com" },
      /AZURE_OPENAI_API_KEY is empty or unset, and there is no azureADToken or azureADTokenProvider/,
      "apiKey",
    ],
    [
      "both credentials",
      { endpoint: "https://res.openai.azure.com", apiKey: KEY, azureADTokenProvider: () => "t" },
      /apiKey and azureADTokenProvider are both given; pass one of them/,
      "apiKey",
    ],
    [
      "a key and a token",
      { endpoint: "https://res.openai.azure.com", apiKey: KEY, azureADToken: "entra-token" },
      /apiKey and azureADToken are both given; pass one of them/,
      "apiKey",
    ],
    [
      "all three credentials",
      { endpoint: "https://res.openai.azure.com", apiKey: KEY, azureADToken: "t", azureADTokenProvider: () => "t" },
      /apiKey, azureADToken and azureADTokenProvider are all given; pass one of them/,
      "apiKey",
    ],
    [
      "a token with a line break inside",
      { endpoint: "https://res.openai.azure.com", azureADToken: "entra\ntoken" },
      /azureADToken has a space, a line break or a non-ASCII character inside/,
      "azureADToken",
    ],
    [
      "a provider that is not a function",
      { endpoint: "https://res.openai.azure.com", azureADTokenProvider: "token" as unknown as () => string },
      /azureADTokenProvider must be a function/,
      "azureADTokenProvider",
    ],
    [
      "a malformed apiVersion",
      { endpoint: "https://res.openai.azure.com", apiKey: KEY, apiVersion: "2024 10" },
      /is not an API version/,
      "apiVersion",
    ],
  ];
  it.each(refused)("refuses %s before any request, naming the option", (_name, options, message, option) => {
    let error: unknown;
    try {
      createAzureUploadsClient(options);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).message).toMatch(message);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect((error as Error).message).not.toContain(KEY);
  });
});
