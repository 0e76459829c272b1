import { inject } from "vitest";
import { createUploadsClient } from "../../src/index.js";

export const baseUrl = inject("apiBaseUrl");
export const isPrism = inject("isPrism");
export const API_KEY = "sk-contract-test";

/** A client on the contract target that keeps every response it got, to inspect headers. */
export function recordingClient(maxRetries = 0) {
  const responses: Response[] = [];
  const client = createUploadsClient({
    apiKey: API_KEY,
    baseUrl,
    maxRetries,
    fetch: async (request) => {
      const response = await fetch(request);
      responses.push(response.clone());
      return response;
    },
  });
  return { client, responses };
}
