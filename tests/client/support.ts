import { type ClientOptions, createUploadsClient } from "../../src/index.js";
import { TEST_API_KEY } from "../support/keys.js";

export const UPLOAD = {
  id: "upload_1",
  object: "upload",
  bytes: 10,
  created_at: 1_700_000_000,
  expires_at: 1_700_003_600,
  filename: "a.jsonl",
  purpose: "batch",
  status: "pending",
};

/** An answer the fake server gives: a status, headers and a JSON body, or a thrown error. */
export type Answer = { status?: number; headers?: Record<string, string>; body?: unknown } | Error;

/**
 * A client whose fetch answers from `answers` in turn (the last one repeats) and records
 * each request, already read, so tests can look at what went over the wire.
 */
export function fakeClient(answers: Answer[], options: ClientOptions = {}) {
  const requests: Array<{ request: Request; body: ArrayBuffer }> = [];
  const fetch = async (request: Request) => {
    requests.push({ request, body: await request.clone().arrayBuffer() });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)] ?? {};
    if (answer instanceof Error) throw answer;
    return Response.json(answer.body ?? UPLOAD, { status: answer.status ?? 200, headers: answer.headers ?? {} });
  };
  const client = createUploadsClient({
    apiKey: TEST_API_KEY,
    baseUrl: "https://api.example.test/v1",
    fetch,
    ...options,
  });
  return { client, requests };
}

export const errorBody = (message: string) => ({
  error: { message, type: "invalid_request_error", param: null, code: null },
});
