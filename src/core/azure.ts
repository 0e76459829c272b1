import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { type Credential, credentialHeaders } from "./credentials.js";
import { type ClientOptions, type ClientTarget, checkedBaseUrl, fromEnv, processEnv } from "./options.js";

/**
 * Options of an Azure OpenAI client: the resource's `endpoint`, the API version, and exactly
 * one credential; every other option of {@link ClientOptions} works as it does for OpenAI.
 * The names are those of the official SDK's `AzureOpenAI`, and so are the environment
 * variables read for what is not passed.
 */
export interface AzureClientOptions extends Omit<ClientOptions, "apiKey" | "baseUrl" | "organization" | "project"> {
  /**
   * The resource's endpoint, `https://RESOURCE.openai.azure.com` (any path before `/openai` is
   * kept, for a gateway); defaults to `AZURE_OPENAI_ENDPOINT`. A trailing `/openai` or
   * `/openai/v1` is taken off, so the endpoint copied with either works too.
   */
  endpoint?: string | undefined;
  /**
   * A dated API version such as `2024-10-21`: requests go to `{endpoint}/openai/uploads…` with
   * `api-version` in every query. Without one (and without `OPENAI_API_VERSION`), or `"v1"`:
   * the v1 API, `{endpoint}/openai/v1/uploads…`, with no `api-version`.
   */
  apiVersion?: string | undefined;
  /**
   * The resource's key, sent as `api-key`; defaults to `AZURE_OPENAI_API_KEY` unless a token
   * is passed. A function is asked for each request, as for OpenAI.
   */
  apiKey?: Credential | undefined;
  /**
   * A Microsoft Entra ID token, sent as `Authorization: Bearer` with every request, as the
   * Python SDK's `azure_ad_token`: one from `az account get-access-token`, say. It expires
   * (about an hour after it was issued), so a client used for longer needs
   * `azureADTokenProvider`. Not with `apiKey` or `azureADTokenProvider`. Unlike the Python
   * SDK, and like the official Node SDK, the library reads no token from the environment
   * (`AZURE_OPENAI_AD_TOKEN` is the command line's).
   */
  azureADToken?: string | undefined;
  /**
   * Microsoft Entra ID: a function (sync or async) asked for a token before each request,
   * retries included, sent as `Authorization: Bearer`. Tokens expire; give it a provider that
   * caches and renews them (`@azure/identity`'s `getBearerTokenProvider`). Not with `apiKey`
   * or `azureADToken`.
   */
  azureADTokenProvider?: (() => string | Promise<string>) | undefined;
}

/** The API version that selects the v1 API: no dated paths and no `api-version` query. */
const V1 = "v1";

/** The options that authenticate: exactly one of them may be given. */
const CREDENTIAL_OPTIONS = ["apiKey", "azureADToken", "azureADTokenProvider"] as const;

/** How Entra ID tokens travel. */
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * Azure's target: the `/openai` (dated) or `/openai/v1` paths under the endpoint, the
 * `api-version` query of a dated API, and `api-key` or a Bearer token from the provider.
 * Refuses, before any request, a missing or malformed endpoint, both credentials, or none.
 */
export function azureTarget(options: AzureClientOptions, env = processEnv()): ClientTarget {
  const given = options.endpoint ?? fromEnv(env.AZURE_OPENAI_ENDPOINT);
  if (given === undefined) {
    throw new InvalidArgumentError("No Azure OpenAI endpoint: AZURE_OPENAI_ENDPOINT is empty or unset.", {
      option: "endpoint",
      remedy: "pass",
    });
  }
  const endpoint = checkedBaseUrl(String(given), {
    option: "endpoint",
    example: "https://RESOURCE.openai.azure.com",
    allowInsecureHttp: options.allowInsecureHttp,
  }).replace(/\/openai(\/v1)?$/, "");
  const credentials = CREDENTIAL_OPTIONS.filter((name) => options[name] !== undefined);
  if (credentials.length > 1) {
    const names = `${credentials.slice(0, -1).join(", ")} and ${credentials.at(-1)}`;
    throw new InvalidArgumentError(
      `${names} are ${credentials.length === 2 ? "both" : "all"} given; pass one of them.`,
      {
        option: credentials[0],
      },
    );
  }
  const apiVersion = (options.apiVersion ?? fromEnv(env.OPENAI_API_VERSION) ?? V1).trim();
  if (!/^[\w.-]+$/.test(apiVersion)) {
    throw new InvalidArgumentError(
      `apiVersion ${JSON.stringify(apiVersion)} is not an API version such as 2024-10-21.`,
      {
        option: "apiVersion",
      },
    );
  }
  const dated = apiVersion !== V1;
  const target: Omit<ClientTarget, "auth"> = {
    baseUrl: dated ? `${endpoint}/openai` : `${endpoint}/openai/${V1}`,
    query: dated ? { "api-version": apiVersion } : {},
  };
  if (options.azureADToken !== undefined) {
    return { ...target, auth: credentialHeaders(options.azureADToken, "azureADToken", bearer) };
  }
  const provider = options.azureADTokenProvider;
  if (provider !== undefined) {
    if (typeof provider !== "function") {
      throw new InvalidArgumentError("azureADTokenProvider must be a function that gives a token.", {
        option: "azureADTokenProvider",
      });
    }
    return {
      ...target,
      auth: credentialHeaders(provider, "azureADTokenProvider", bearer),
    };
  }
  const apiKey = options.apiKey ?? fromEnv(env.AZURE_OPENAI_API_KEY);
  if (apiKey === undefined) {
    throw new InvalidArgumentError(
      "No Azure OpenAI credential: AZURE_OPENAI_API_KEY is empty or unset, and there is no azureADToken or azureADTokenProvider.",
      { option: "apiKey", remedy: "pass" },
    );
  }
  return { ...target, auth: credentialHeaders(apiKey, "apiKey", (key) => ({ "api-key": key })) };
}
