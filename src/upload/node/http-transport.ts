import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { operations } from "../../../generated/operations.js";
import type { ClientRuntime } from "../../core/client.js";
import type { AttemptInit, SentAttempt } from "../../core/operation.js";
import { expandPath } from "../../core/path-params.js";
import { MAX_RESPONSE_BYTES, ResponseTooLarge } from "../../core/response-body.js";
import { FileChangedError } from "../../errors/file-changed.js";
import type { UploadPart } from "../../types.js";
import type { PartRequest, PartSender } from "../platform.js";

const READ_CHUNK = 1024 * 1024;
const PART = operations.addUploadPart;
/** The field that carries a part's bytes: the binary property of the spec's part body. */
const [PART_FIELD] = PART.fileFields;

/**
 * Sends the parts of a file on disk with node:http, streaming each part from the file into a
 * multipart body of known length: no part is ever held in memory, and it runs at several
 * times the speed of fetch with FormData (see the README's benchmark). Every part still goes
 * through the client's runtime, so retries, timeouts, abort, the check of the answer and the
 * errors are exactly the client's own; every attempt opens the file range anew and so re-sends
 * the same bytes.
 */
export function httpPartSender(runtime: ClientRuntime, path: string, concurrency: number): PartSender {
  const base = new URL(runtime.baseUrl);
  const secure = base.protocol === "https:";
  const agent = new (secure ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: concurrency });
  const request = secure ? httpsRequest : httpRequest;
  const headers = runtime.requestHeaders();

  function attempt({ uploadId, part, onBytes }: PartRequest, init: AttemptInit): Promise<SentAttempt> {
    const boundary = `----openai-uploads-${randomBytes(12).toString("hex")}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${PART_FIELD}"; filename="blob"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n",
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const size = part.end - part.start;
    const url = new URL(`${runtime.baseUrl}${expandPath(PART.path, { upload_id: uploadId })}`);
    return new Promise<SentAttempt>((resolve, reject) => {
      const req = request(url, {
        method: PART.method,
        agent,
        signal: init.signal,
        headers: {
          ...headers,
          ...init.headers,
          "Content-Type": `multipart/form-data; boundary=${boundary}`,
          "Content-Length": String(head.length + size + tail.length),
        },
      });
      const file = createReadStream(path, { start: part.start, end: part.end - 1, highWaterMark: READ_CHUNK });
      let streamed = 0;
      req.on("error", (error) => {
        file.destroy();
        reject(error);
      });
      req.on("response", (res) => {
        file.destroy();
        readResponse(res).then(resolve, reject);
      });
      file.on("data", (chunk) => {
        streamed += chunk.length;
        onBytes(streamed);
      });
      file.on("error", (error) => req.destroy(error));
      file.on("end", () => {
        if (streamed !== size) {
          req.destroy(
            new FileChangedError(`the file ended ${size - streamed} bytes early; it changed while being uploaded.`),
          );
        } else {
          req.end(tail);
        }
      });
      req.write(head);
      file.pipe(req, { end: false });
    });
  }

  return {
    sendPart: (partRequest) =>
      runtime.invoke<UploadPart>({
        operation: PART,
        pathParams: { upload_id: partRequest.uploadId },
        options: partRequest.options,
        send: (init) => attempt(partRequest, init),
      }),
    close: () => agent.destroy(),
  };
}

/** A response's headers as web `Headers`. */
function webHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/**
 * Reads a part's (small, JSON) response into the shape openapi-fetch gives the runtime: the
 * text of a 2xx body, the parsed body of any other. Stops reading past MAX_RESPONSE_BYTES.
 */
async function readResponse(res: IncomingMessage): Promise<SentAttempt> {
  const status = res.statusCode ?? 0;
  const response = new Response(null, { status, headers: webHeaders(res) });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      res.destroy();
      throw new ResponseTooLarge(response);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (status >= 200 && status < 300) return { data: text, response };
  try {
    return { error: text ? JSON.parse(text) : undefined, response };
  } catch {
    // Not JSON (a proxy's HTML error page, say): keep the text for the error message.
    return { error: text, response };
  }
}
