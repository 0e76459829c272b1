import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { operations } from "../../../generated/operations.js";
import type { ClientRuntime } from "../../core/client.js";
import type { AttemptInit, SentAttempt } from "../../core/operation.js";
import { expandPath } from "../../core/path-params.js";
import { setHeaders } from "../../core/request.js";
import { FileChangedError } from "../../errors/file-changed.js";
import { InvalidArgumentError } from "../../errors/invalid-argument.js";
import { certificateFailure } from "../../errors/tls-certificate.js";
import { httpFetch, readText, watchStall, webHeaders } from "../../node/http-fetch.js";
import { agentFor, proxyAuthentication, viaProxy } from "../../node/proxy.js";
import type { UploadPart } from "../../types.js";
import type { PartRequest, TransportSettings, UploadTransport } from "../platform.js";

const READ_CHUNK = 1024 * 1024;
const PART = operations.addUploadPart;
/** The field that carries a part's bytes: the binary property of the spec's part body. */
const [PART_FIELD] = PART.fileFields;

/**
 * Sends parts with node:http, streaming each into a multipart body of known length: a file
 * on disk's straight from the file (`path`), so no part is ever held in memory; any other
 * source's from the Blob its `partData` gave. It runs at several times the speed of fetch
 * with FormData (see the README's benchmark). The JSON operations share the
 * same keep-alive connections. Every request still goes through the client's runtime, so
 * retries, timeouts, abort, the check of the answer and the errors are exactly the client's
 * own; every attempt opens the file range anew and so re-sends the same bytes.
 */
export function httpTransport(
  runtime: ClientRuntime,
  path: string | undefined,
  { concurrency, stallTimeoutMs }: TransportSettings,
): UploadTransport {
  const base = new URL(runtime.baseUrl);
  const proxy = runtime.proxy();
  // Awaited by each attempt: a proxy's agent loads its package on first use.
  const agent = agentFor(base, proxy, { keepAlive: true, maxSockets: concurrency });
  // Its failure is each attempt's to report; until one awaits it, it must not count as unhandled.
  agent.catch(() => {});
  const request = base.protocol === "https:" ? httpsRequest : httpRequest;

  async function attempt({ uploadId, part, data, onBytes }: PartRequest, init: AttemptInit): Promise<SentAttempt> {
    // Asked for each attempt, as the fetch path does: a credential function gives a fresh token.
    const headers = await runtime.requestHeaders(init.signal);
    const through = await agent;
    const boundary = `----openai-uploads-${randomBytes(12).toString("hex")}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${PART_FIELD}"; filename="blob"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n",
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const size = part.end - part.start;
    const url = runtime.url(expandPath(PART.path, { upload_id: uploadId }));
    // Layered as the fetch path layers them, so both send the same headers.
    const layers = new Headers(headers);
    try {
      setHeaders(layers, init.headers);
    } catch (error) {
      const problem = `${PART.operationId}: a header cannot be sent (${(error as Error).message}).`;
      throw new InvalidArgumentError(problem, { option: "headers" });
    }
    layers.set("Content-Type", `multipart/form-data; boundary=${boundary}`);
    layers.set("Content-Length", String(head.length + size + tail.length));
    return new Promise<SentAttempt>((resolve, reject) => {
      const req = request(url, {
        method: PART.method,
        agent: through,
        signal: init.signal,
        headers: Object.fromEntries(layers),
      });
      const file = path
        ? createReadStream(path, { start: part.start, end: part.end - 1, highWaterMark: READ_CHUNK })
        : Readable.from(data instanceof Blob ? blobChunks(data) : chunksOf(data));
      const moved = watchStall(req, stallTimeoutMs);
      let streamed = 0;
      req.on("error", (error) => {
        file.destroy();
        reject(certificateFailure(error) ?? viaProxy(error, proxy));
      });
      req.on("response", (res) => {
        moved();
        file.destroy();
        if (res.statusCode === 407 && proxy) {
          res.resume();
          return reject(proxyAuthentication(proxy));
        }
        readResponse(res, moved).then(resolve, reject);
      });
      file.on("data", (chunk: Buffer) => {
        streamed += chunk.length;
        onBytes(streamed);
      });
      file.on("error", (error: Error) => req.destroy(error));
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
    operations: runtime.operationsVia(httpFetch(agent, stallTimeoutMs)),
    sendPart: (partRequest) =>
      runtime.invoke<UploadPart>({
        operation: PART,
        pathParams: { upload_id: partRequest.uploadId },
        options: partRequest.options,
        send: (init) => attempt(partRequest, init),
      }),
    close: () => {
      // An agent that failed to load has nothing to close; its failure reached the attempts.
      agent.then((through) => through.destroy()).catch(() => {});
    },
  };
}

/** A Blob read `READ_CHUNK` bytes at a time: fewer, larger writes than its own stream() gives. */
async function* blobChunks(blob: Blob): AsyncGenerator<Buffer> {
  for (let start = 0; start < blob.size; start += READ_CHUNK) {
    yield Buffer.from(await blob.slice(start, start + READ_CHUNK).arrayBuffer());
  }
}

/** A part in memory as views of `READ_CHUNK` bytes, so progress moves while it is sent. */
function* chunksOf(bytes: Uint8Array): Generator<Buffer> {
  for (let start = 0; start < bytes.length; start += READ_CHUNK) {
    yield Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.min(READ_CHUNK, bytes.length - start));
  }
}

/**
 * Reads a part's (small, JSON) response into the shape the runtime takes: the text of a 2xx
 * body, the parsed body of any other.
 */
async function readResponse(res: IncomingMessage, moved: () => void): Promise<SentAttempt> {
  const status = res.statusCode ?? 0;
  const response = new Response(null, { status, headers: webHeaders(res) });
  const text = await readText(res, response, moved);
  if (status >= 200 && status < 300) return { data: text, response };
  try {
    return { error: text ? JSON.parse(text) : undefined, response };
  } catch {
    // Not JSON (a proxy's HTML error page, say): keep the text for the error message.
    return { error: text, response };
  }
}
