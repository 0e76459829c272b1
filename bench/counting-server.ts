/**
 * A minimal Uploads API for the benchmark: it reads and counts every byte of a part but
 * stores nothing and parses nothing, so the client, not the server, is what gets measured.
 * It lets any origin call it, so that a page in the browser bench can.
 * Prints `{"url": ...}` on stdout once listening; runs until killed.
 */
import { createServer } from "node:http";

let nextId = 0;
const uploads = new Map<string, { bytes: number; filename: string; created_at: number }>();
let bytesReceived = 0;

const server = createServer((req, res) => {
  res.setHeader("access-control-allow-origin", "*");
  if (req.method === "OPTIONS") {
    res.writeHead(204, {
      // "*" does not cover authorization (the Fetch spec), so the headers asked for are allowed.
      "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "",
      "access-control-allow-methods": "POST",
      "access-control-max-age": "600",
    });
    res.end();
    return;
  }
  const chunks: Buffer[] = [];
  let partBytes = 0;
  const isPart = req.url?.endsWith("/parts") ?? false;
  req.on("data", (chunk: Buffer) => {
    if (isPart) partBytes += chunk.length;
    else chunks.push(chunk);
  });
  req.on("end", () => {
    bytesReceived += partBytes;
    const now = Math.floor(Date.now() / 1000);
    const uploadId = /\/uploads\/([^/]+)/.exec(req.url ?? "")?.[1] ?? "";
    let body: unknown;
    if (req.url?.endsWith("/uploads")) {
      const request = JSON.parse(Buffer.concat(chunks).toString() || "{}");
      const id = `upload_bench${nextId++}`;
      uploads.set(id, { bytes: request.bytes, filename: request.filename, created_at: now });
      body = upload(id, "pending");
    } else if (isPart) {
      body = { id: `part_bench${nextId++}`, object: "upload.part", created_at: now, upload_id: uploadId };
    } else if (req.url?.endsWith("/complete")) {
      const done = upload(uploadId, "completed");
      body = {
        ...done,
        file: {
          id: `file-bench${nextId++}`,
          object: "file",
          bytes: done.bytes,
          created_at: now,
          filename: done.filename,
          purpose: "batch",
          status: "processed",
        },
      };
    } else {
      body = upload(uploadId, "cancelled");
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_bench${nextId++}` });
    res.end(text);
  });
});

function upload(id: string, status: string) {
  const known = uploads.get(id) ?? { bytes: 0, filename: "unknown", created_at: 0 };
  return {
    id,
    object: "upload",
    status,
    purpose: "batch",
    expires_at: known.created_at + 3600,
    ...known,
  };
}

server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}/v1` })}\n`);
  }
});
process.on("SIGTERM", () => {
  process.stderr.write(`counting server: ${bytesReceived} part bytes received\n`);
  process.exit(0);
});
