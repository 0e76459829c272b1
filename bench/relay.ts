/**
 * A long link on loopback: a TCP relay (node:net) between a client and a local server that
 * makes every connection through it look like one over a real distance.
 *
 * - Delay: each chunk is released `delayMs` after it arrived, in both directions, so a
 *   request and its answer take a round trip of 2 x `delayMs` more than on loopback.
 * - Per-connection cap: each connection carries at most `connectionBytesPerSecond` each way.
 *   On a real link one TCP connection is held back by its round trip (its window over the
 *   RTT); the cap stands for that, so the number of busy connections decides the speed.
 * - Total cap: all connections together carry at most `totalBytesPerSecond` each way: the
 *   link itself. Connections that want more than their share take turns, round-robin.
 * - Backpressure: a direction whose queue holds more than `highWaterBytes` pauses the socket
 *   it reads from until the queue is below half of that, and a socket that will not take more
 *   is not written to until it drains; so memory stays bounded (about 2 x `highWaterBytes` per
 *   connection), whatever the client sends.
 *
 * Both caps are token buckets refilled by the clock (with a burst of 10 ms of their rate, so
 * a timer that fires late does not cost throughput), checked on a timer of about 1 ms while
 * any queue holds bytes. Connection set-up is not delayed: the bench's clients keep their
 * connections alive, so a handshake is paid once per connection.
 *
 * `startRelay` runs it in this process; run as a script (`tsx bench/relay.ts --target URL
 * [--delay 20 --connection-mbps 12.5 --total-mbps 100]`, rates in MB/s of 10^6 bytes) it
 * prints `{"url": ...}` and relays until killed.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { parseArgs } from "node:util";

export interface RelayOptions {
  /** Where the relay connects each connection it accepts. */
  target: { host: string; port: number };
  /** One-way delay, each direction, in milliseconds. */
  delayMs: number;
  /** What one connection carries at most, each way, in bytes per second. */
  connectionBytesPerSecond: number;
  /** What all connections together carry at most, each way, in bytes per second. */
  totalBytesPerSecond: number;
  /**
   * The queue of one direction of one connection past which its source is paused; default
   * 4 x what one connection carries in `delayMs`, at least 256 KiB (the delay alone keeps
   * `rate x delay` bytes queued, which the queue must be able to hold).
   */
  highWaterBytes?: number;
}

/** The long link the benches measure through: 20 ms each way, 12.5 MB/s a connection, 100 MB/s in all. */
export const LONG_LINK = { delayMs: 20, connectionBytesPerSecond: 12.5e6, totalBytesPerSecond: 100e6 } as const;

/** How {@link LONG_LINK} reads in a bench's heading. */
export const LONG_LINK_WORDS = `${LONG_LINK.delayMs} ms each way, ${LONG_LINK.connectionBytesPerSecond / 1e6} MB/s per connection, ${LONG_LINK.totalBytesPerSecond / 1e6} MB/s in all`;

export interface RelayStats {
  /** Connections accepted so far. */
  connections: number;
  /** The most connections open at once. */
  peakConnections: number;
  /** Bytes relayed client to server, and server to client. */
  bytesUp: number;
  bytesDown: number;
  /** The most bytes held in all queues at once. */
  peakQueuedBytes: number;
}

export interface Relay {
  /** host and port to connect to instead of the target. */
  readonly host: string;
  readonly port: number;
  readonly stats: RelayStats;
  /** Clears the counters (not the connections). */
  resetStats(): void;
  /** Stops accepting and destroys every connection. */
  close(): Promise<void>;
}

const MIN_HIGH_WATER = 256 * 1024;
/** The most bytes one flow writes per turn, so that flows share the total cap evenly. */
const SLICE = 16 * 1024;
const BURST_MS = 10;

class TokenBucket {
  private tokens: number;
  private readonly burst: number;
  private last = performance.now();
  constructor(private readonly bytesPerSecond: number) {
    this.burst = Math.max(SLICE, (bytesPerSecond * BURST_MS) / 1000);
    this.tokens = this.burst;
  }
  available(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000);
    this.last = now;
    return Math.floor(this.tokens);
  }
  take(bytes: number): void {
    this.tokens -= bytes;
  }
}

/** One direction of one connection: what `source` sent, waiting to be written to `dest`. */
interface Flow {
  readonly source: Socket;
  readonly dest: Socket;
  readonly bucket: TokenBucket;
  readonly queue: { chunk: Buffer; at: number }[];
  queued: number;
  paused: boolean;
  /** The destination is connected and has room. */
  writable: boolean;
  /** The source ended: once the queue is empty, the destination is ended too. */
  ended: boolean;
  up: boolean;
}

export function startRelay(options: RelayOptions): Promise<Relay> {
  const { delayMs, connectionBytesPerSecond, totalBytesPerSecond } = options;
  const highWater =
    options.highWaterBytes ?? Math.max(MIN_HIGH_WATER, Math.ceil((4 * connectionBytesPerSecond * delayMs) / 1000));
  const links = { up: new TokenBucket(totalBytesPerSecond), down: new TokenBucket(totalBytesPerSecond) };
  const flows = new Set<Flow>();
  const sockets = new Set<Socket>();
  const stats: RelayStats = { connections: 0, peakConnections: 0, bytesUp: 0, bytesDown: 0, peakQueuedBytes: 0 };
  let queuedTotal = 0;
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  let turn = 0;

  function schedule(ms: number) {
    if (timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        pump();
      },
      Math.max(1, Math.ceil(ms)),
    );
  }

  /** Writes what the delay and the buckets allow, each flow in turn, and sets the next wake-up. */
  function pump() {
    const now = performance.now();
    const all = [...flows];
    // Each turn starts with another flow, so none is always first to the total bucket.
    turn = (turn + 1) % Math.max(1, all.length);
    const order = [...all.slice(turn), ...all.slice(0, turn)];
    let wakeAt = Number.POSITIVE_INFINITY;
    let waitingForTokens = false;
    for (let progress = true; progress; ) {
      progress = false;
      for (const flow of order) {
        const head = flow.queue[0];
        if (!head || !flow.writable) continue;
        if (head.at > now) {
          wakeAt = Math.min(wakeAt, head.at);
          continue;
        }
        const link = flow.up ? links.up : links.down;
        const allowed = Math.min(flow.bucket.available(now), link.available(now), SLICE, head.chunk.length);
        if (allowed <= 0) {
          waitingForTokens = true;
          continue;
        }
        const slice = allowed === head.chunk.length ? head.chunk : head.chunk.subarray(0, allowed);
        if (slice === head.chunk) flow.queue.shift();
        else head.chunk = head.chunk.subarray(allowed);
        flow.bucket.take(allowed);
        link.take(allowed);
        flow.queued -= allowed;
        queuedTotal -= allowed;
        if (flow.up) stats.bytesUp += allowed;
        else stats.bytesDown += allowed;
        if (!flow.dest.write(slice)) {
          flow.writable = false;
          flow.dest.once("drain", () => {
            flow.writable = true;
            pump();
          });
        }
        if (flow.paused && flow.queued < highWater / 2) {
          flow.paused = false;
          flow.source.resume();
        }
        if (flow.queue.length === 0 && flow.ended) finishFlow(flow);
        progress = true;
      }
    }
    if (waitingForTokens) schedule(1);
    else if (wakeAt !== Number.POSITIVE_INFINITY) schedule(wakeAt - now);
  }

  function finishFlow(flow: Flow) {
    flows.delete(flow);
    flow.dest.end();
  }

  function addFlow(source: Socket, dest: Socket, up: boolean, destReady: boolean): Flow {
    const flow: Flow = {
      source,
      dest,
      bucket: new TokenBucket(connectionBytesPerSecond),
      queue: [],
      queued: 0,
      paused: false,
      writable: destReady,
      ended: false,
      up,
    };
    flows.add(flow);
    source.on("data", (chunk: Buffer) => {
      flow.queue.push({ chunk, at: performance.now() + delayMs });
      flow.queued += chunk.length;
      queuedTotal += chunk.length;
      stats.peakQueuedBytes = Math.max(stats.peakQueuedBytes, queuedTotal);
      if (!flow.paused && flow.queued > highWater) {
        flow.paused = true;
        source.pause();
      }
      schedule(delayMs);
    });
    source.on("end", () => {
      flow.ended = true;
      if (flow.queue.length === 0) finishFlow(flow);
    });
    return flow;
  }

  function forget(flow: Flow) {
    if (flows.delete(flow)) queuedTotal -= flow.queued;
  }

  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    stats.connections++;
    open++;
    stats.peakConnections = Math.max(stats.peakConnections, open);
    const upstream = connect({ ...options.target, allowHalfOpen: true, noDelay: true });
    sockets.add(client);
    sockets.add(upstream);
    const up = addFlow(client, upstream, true, false);
    const down = addFlow(upstream, client, false, true);
    upstream.once("connect", () => {
      up.writable = true;
      pump();
    });
    let closed = 0;
    const onClose = () => {
      // Either side gone for good (an error, a reset, both halves closed): so is the other.
      client.destroy();
      upstream.destroy();
      forget(up);
      forget(down);
      sockets.delete(client);
      sockets.delete(upstream);
      if (++closed === 2) open--;
    };
    for (const socket of [client, upstream]) {
      socket.on("error", () => socket.destroy());
      socket.on("close", onClose);
    }
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (!address || typeof address !== "object") return reject(new Error("relay: no address"));
      resolve({
        host: "127.0.0.1",
        port: address.port,
        stats,
        resetStats() {
          Object.assign(stats, { connections: 0, peakConnections: open, bytesUp: 0, bytesDown: 0 });
          stats.peakQueuedBytes = queuedTotal;
        },
        close() {
          if (timer) clearTimeout(timer);
          for (const socket of sockets) socket.destroy();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

// Run as a script, not imported (nor bundled into another script, whose URL would be its own).
if (/relay\.[cm]?[jt]s$/.test(process.argv[1] ?? "")) {
  const { values } = parseArgs({
    options: {
      target: { type: "string" },
      delay: { type: "string", default: "20" },
      "connection-mbps": { type: "string", default: "12.5" },
      "total-mbps": { type: "string", default: "100" },
    },
  });
  if (!values.target) throw new Error("relay: --target http://host:port/... is required");
  const target = new URL(values.target);
  const relay = await startRelay({
    target: { host: target.hostname, port: Number(target.port) },
    delayMs: Number(values.delay),
    connectionBytesPerSecond: Number(values["connection-mbps"]) * 1e6,
    totalBytesPerSecond: Number(values["total-mbps"]) * 1e6,
  });
  target.hostname = relay.host;
  target.port = String(relay.port);
  process.stdout.write(`${JSON.stringify({ url: target.href.replace(/\/$/, "") })}\n`);
  process.on("SIGTERM", () => void relay.close().then(() => process.exit(0)));
}
