import createClient from "openapi-fetch";
import { expect, inject } from "vitest";
import type { paths } from "../../generated/schema.js";
import { createUploadsClient } from "../../src/index.js";

/** Where the suite sends its requests: the global setup's Prism, or TEST_API_BASE_URL. */
export const baseUrl = inject("apiBaseUrl");
/** Whether that is Prism mocking our spec, so the Prism-only checks (violations, `Prefer`) apply. */
export const isPrism = inject("isPrism");
/** Prism takes any bearer token; a real server may want a particular one. */
export const API_KEY = process.env.TEST_API_KEY ?? "sk-test";

/** The bytes of the one part the positive flows send. */
export const PART_BYTES = new TextEncoder().encode('{"prompt": "Hello", "completion": "Hi there"}\n');

/** A body of createUpload that the spec accepts, sized to `PART_BYTES` so a real server can complete it. */
export const CREATE = {
  filename: "training_examples.jsonl",
  purpose: "fine-tune",
  bytes: PART_BYTES.byteLength,
  mime_type: "text/jsonl",
} as const;

/** What one request through a recording fetch looked like, and what came back. */
export interface Exchange {
  method: string;
  url: string;
  headers: Headers;
  response: Response;
}

/**
 * A fetch that forwards to the global one and keeps each exchange (request line and headers,
 * and a clone of the response to read headers or body from). It takes both call shapes, the
 * Request our client passes and the (url, init) pair the openai SDK passes. Only http(s)
 * exchanges are kept: the SDK probes fetch with a `data:` URL once.
 */
export function recorder() {
  const exchanges: Exchange[] = [];
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const response = await fetch(request);
    if (request.url.startsWith("http")) {
      exchanges.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        response: response.clone(),
      });
    }
    return response;
  };
  return { exchanges, fetch: recordingFetch };
}

/** The public client on the contract target with a recording fetch; `maxRetries` defaults to 0. */
export function recordingClient(options: { maxRetries?: number; baseUrl?: string } = {}) {
  const { exchanges, fetch } = recorder();
  const client = createUploadsClient({
    apiKey: API_KEY,
    baseUrl: options.baseUrl ?? baseUrl,
    maxRetries: options.maxRetries ?? 0,
    fetch,
  });
  return { client, exchanges };
}

/**
 * A bare openapi-fetch client over the generated `paths`, with the API key: no retries, no
 * checks, and casts get past the types, so it sends what the spec forbids.
 */
export function rawClient() {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${API_KEY}` } });
}

/** One entry of Prism's `sl-violations` header. */
export interface Violation {
  location: string[];
  severity: string;
  code: string | number;
  message: string;
}

/** The violations Prism reported on a response; empty when it reported none. */
export function violations(response: Response): Violation[] {
  const header = response.headers.get("sl-violations");
  return header ? (JSON.parse(header) as Violation[]) : [];
}

/**
 * Asserts that every exchange was answered 200 without a reported violation, and that there
 * were `count` of them (no hidden retries). The message names the failing request.
 */
export async function expectAllConform(exchanges: Exchange[], count: number): Promise<void> {
  for (const { method, url, response } of exchanges) {
    const where = `${method} ${new URL(url).pathname}`;
    const body = response.status === 200 ? "" : await response.clone().text();
    expect(violations(response), where).toEqual([]);
    expect(response.status, `${where}: ${body}`).toBe(200);
  }
  expect(exchanges).toHaveLength(count);
}
