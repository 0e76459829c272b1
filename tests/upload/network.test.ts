import { createServer, request, type Server } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { UploadFileError, uploadFile } from "../../src/index.js";
import { rejection } from "../support/rejection.js";
import { clientFor, randomFile, server, storedSha256 } from "./support.js";

const KiB = 1024;
const MiB = 1024 * KiB;

async function listen(front: Server): Promise<string> {
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
}

/**
 * An HTTP server in front of `upstream` that forwards every request, except the first part:
 * it reads a few hundred KiB of that one, then stops reading and never answers, as a server
 * or a link that stalls does.
 */
async function stallingFront(upstream: string) {
  const parts: number[] = [];
  let stalledAt: number | undefined;
  const front = createServer((req, res) => {
    const isPart = req.url?.endsWith("/parts") === true;
    if (isPart) parts.push(Date.now());
    if (isPart && parts.length === 1) {
      let seen = 0;
      req.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > 300 * KiB && stalledAt === undefined) {
          stalledAt = Date.now();
          req.pause();
        }
      });
      return;
    }
    const forwarded = request(`${upstream}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(forwarded);
  });
  const url = await listen(front);
  return {
    url: `${url}/v1`,
    parts,
    stalledAt: () => stalledAt,
    close: () => {
      front.closeAllConnections();
      return new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}

/**
 * A TCP relay in front of `upstream` that can go down: `outage(ms)` resets every connection it
 * carries and every new one until `ms` have passed, as a dropped link or a restarting proxy does.
 */
async function flakyRelay(upstream: string) {
  const { port } = new URL(upstream);
  const open = new Set<Socket>();
  let downUntil = 0;
  const relay = createTcpServer((client) => {
    if (Date.now() < downUntil) return client.resetAndDestroy();
    const server = connect(Number(port), "127.0.0.1");
    for (const socket of [client, server]) {
      open.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        open.delete(socket);
        client.destroy();
        server.destroy();
      });
    }
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/v1`,
    outage(ms: number) {
      downUntil = Date.now() + ms;
      for (const socket of open) socket.resetAndDestroy();
    },
    close: () => {
      downUntil = Number.POSITIVE_INFINITY;
      for (const socket of open) socket.destroy();
      return new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

/** An HTTP server in front of `upstream` that reads request bodies at `bytesPerSecond`, as a slow uplink does. */
async function slowFront(upstream: string, bytesPerSecond: number) {
  const parts: number[] = [];
  const front = createServer((req, res) => {
    if (req.url?.endsWith("/parts")) parts.push(Date.now());
    const forwarded = request(`${upstream}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.on("data", (chunk: Buffer) => {
      req.pause();
      forwarded.write(chunk);
      setTimeout(() => req.resume(), (1000 * chunk.length) / bytesPerSecond);
    });
    req.on("end", () => forwarded.end());
  });
  const url = await listen(front);
  return {
    url: `${url}/v1`,
    parts,
    close: () => {
      front.closeAllConnections();
      return new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}

describe("uploadFile on a network that misbehaves", () => {
  it("does not take a slow link that keeps moving for a stall", { timeout: 60_000 }, async () => {
    const local = await server();
    // 640 KiB/s: under one 1 MiB read of the file per second, but the socket takes bytes all along.
    const front = await slowFront(local.url.replace(/\/v1$/, ""), 640 * KiB);
    try {
      const file = await randomFile(4 * MiB);
      const upload = await uploadFile(clientFor(front.url), {
        file: file.path,
        purpose: "batch",
        mimeType: "application/octet-stream",
        partSize: 4 * MiB,
        stallTimeoutMs: 1000,
      });
      expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
      expect(front.parts).toHaveLength(1);
    } finally {
      await front.close();
    }
  });

  it("rides out a 20-second outage mid-upload with the default settings", { timeout: 90_000 }, async () => {
    // Each part takes 200 ms at the server, so the upload is still sending when the link goes down.
    const local = await server({ faults: { delayMs: 200, operations: ["addUploadPart"] } });
    const relay = await flakyRelay(local.url);
    try {
      const file = await randomFile(12 * MiB);
      const waits: boolean[] = [];
      let outageStartedAt = 0;
      const upload = await uploadFile(clientFor(relay.url), {
        file: file.path,
        purpose: "batch",
        mimeType: "application/octet-stream",
        partSize: MiB,
        concurrency: 2,
        onProgress: ({ partsDone, waiting }) => {
          if (partsDone === 3 && outageStartedAt === 0) {
            outageStartedAt = Date.now();
            relay.outage(20_000);
          }
          if (waiting !== waits.at(-1)) waits.push(waiting);
        },
      });
      const recovered = Date.now() - outageStartedAt;
      expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
      expect(outageStartedAt).toBeGreaterThan(0);
      expect(recovered).toBeGreaterThanOrEqual(20_000);
      // The progress said it was waiting for the network, and then that it no longer was.
      expect(waits).toContain(true);
      expect(waits.at(-1)).toBe(false);
      console.log(`outage: 20 s; upload completed ${recovered} ms after the link went down`);
    } finally {
      await relay.close();
    }
  });

  it("stops with a resume once networkPatienceMs passes with nothing getting through", async () => {
    const local = await server();
    const relay = await flakyRelay(local.url);
    try {
      const file = await randomFile(4 * MiB);
      let outageStartedAt = 0;
      const error = await rejection(
        uploadFile(clientFor(relay.url, "node:http", { maxRetries: 0 }), {
          file: file.path,
          purpose: "batch",
          mimeType: "application/octet-stream",
          partSize: MiB,
          concurrency: 1,
          networkPatienceMs: 2000,
          onProgress: ({ partsDone }) => {
            if (partsDone === 1 && outageStartedAt === 0) {
              outageStartedAt = Date.now();
              relay.outage(60_000);
            }
          },
        }),
        UploadFileError,
      );
      expect(error.completionUnknown).toBe(false);
      expect(error.resume.partIds.filter(Boolean)).toHaveLength(1);
      expect(Date.now() - outageStartedAt).toBeGreaterThanOrEqual(2000);
      expect(Date.now() - outageStartedAt).toBeLessThan(15_000);
    } finally {
      await relay.close();
    }
  });

  it("sends a stalled part again after stallTimeoutMs, on a new connection, and completes byte-exact", async () => {
    const local = await server();
    const front = await stallingFront(local.url.replace(/\/v1$/, ""));
    try {
      // Parts larger than the socket buffers of loopback, so the sender is held up once the server stops reading.
      const file = await randomFile(3 * 8 * MiB);
      const started = Date.now();
      const upload = await uploadFile(clientFor(front.url), {
        file: file.path,
        purpose: "batch",
        mimeType: "application/octet-stream",
        partSize: 8 * MiB,
        concurrency: 1,
        stallTimeoutMs: 1000,
      });
      const elapsed = Date.now() - started;
      expect(await storedSha256(local, upload.file?.id ?? "")).toBe(file.sha256);
      // Three parts, the first of them twice: the stalled attempt and its resend.
      expect(front.parts).toHaveLength(4);
      const resentAfter = (front.parts[1] ?? 0) - (front.stalledAt() ?? 0);
      expect(resentAfter).toBeGreaterThanOrEqual(900);
      // Well inside the attempt timeout (10 minutes): the stall, not the timeout, ended the attempt.
      expect(elapsed).toBeLessThan(20_000);
      console.log(
        `stall: part resent ${resentAfter} ms after the server stopped reading; upload done in ${elapsed} ms`,
      );
    } finally {
      await front.close();
    }
  });
});
