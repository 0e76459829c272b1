import { once, setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type OperationId, operationIds } from "../../generated/operations.js";
import { MAX_PART_BYTES } from "../limits.js";
import { authenticate, authenticateAzure } from "./auth.js";
import { applyCors, type CorsPolicy } from "./cors.js";
import { openDataDir } from "./disk.js";
import { ApiError } from "./errors.js";
import { createFaultInjector, type FaultOptions } from "./faults.js";
import { handlers, type OperationContext } from "./handlers.js";
import { sendJson } from "./http.js";
import { newId } from "./ids.js";
import { type AzureRouting, route } from "./routes.js";
import { type UploadSnapshot, UploadStore } from "./store.js";

/**
 * The `api-version` values the server takes on Azure OpenAI's dated paths unless told others
 * (`azure: { apiVersions }`): the GA version that has the Uploads API, first, then recent
 * previews. `serve --azure` prints the first as `OPENAI_API_VERSION`.
 */
export const AZURE_API_VERSIONS: readonly string[] = Object.freeze([
  "2024-10-21",
  "2024-12-01-preview",
  "2025-03-01-preview",
  "2025-04-01-preview",
]);

/** How to start a {@link LocalServer}; every option has a default suited to tests. */
export interface LocalServerOptions {
  /** Port to listen on; default 0, a free port chosen by the OS. */
  port?: number | undefined;
  /** Interface to listen on; default `127.0.0.1`, so nothing outside the machine can reach it. */
  host?: string | undefined;
  /**
   * Where the server keeps its state: its journal of uploads and parts (`journal.jsonl`), the
   * parts (`parts/`) and the assembled files (`files/`). Default: a fresh directory under the
   * OS temp dir, removed by `close()`. A directory given here is kept, and a server started on
   * it again, even after a crash or `kill -9`, carries on with every upload, part and file the
   * last one acknowledged: same ids, same bytes.
   */
  dataDir?: string | undefined;
  /**
   * Which web pages may call the server from a browser (CORS): `"loopback"` (the default) lets
   * any page served from this machine, whatever its port; a list only those origins
   * (`["http://localhost:5173"]`); `"*"` any. Preflights are answered with the methods and
   * headers asked for, and the answers expose `x-request-id`, `retry-after` and `retry-after-ms`.
   */
  cors?: CorsPolicy | undefined;
  /**
   * The only bearer token accepted (in Azure mode: the only `api-key` header or Bearer token).
   * Without it any non-empty one is.
   */
  apiKey?: string | undefined;
  /**
   * Serve the Uploads API as Azure OpenAI does instead of OpenAI's paths and auth. Default
   * false. When set (`true`, or an object):
   *
   * - The spec's operations are under `/openai` (the dated API: `POST /openai/uploads?api-version=V`,
   *   `/openai/uploads/{upload_id}/parts?api-version=V`, …) and under `/openai/v1` (the v1 API,
   *   which takes no api-version and ignores one given). `/v1/…` and `/…` are 404s, as the Azure
   *   paths are without this option.
   * - A dated path without `api-version`, or with one not in `apiVersions`, is a 404 naming the
   *   values it takes.
   * - A request authenticates with an `api-key` header or, without one, `Authorization: Bearer`
   *   (to Azure, a Microsoft Entra ID token); `apiKey`, when set, is the only one accepted.
   *   Neither is a 401.
   * - Part ids look like `uplprt-<hex>` and part answers carry an `azure_block_id` (the base64
   *   of the part's block name). Upload and file ids are OpenAI's.
   * - `url` is the endpoint, without a path, as Azure clients take it.
   *
   * The data directory is the same in either mode: a server started on it again (in either
   * mode) carries on with the ids its parts were given.
   */
  azure?:
    | boolean
    | {
        /**
         * The `api-version` values the dated paths take; default `AZURE_API_VERSIONS`. At least
         * one, each a non-empty string without spaces, `&` or `#`.
         */
        apiVersions?: readonly string[] | undefined;
      }
    | undefined;
  /** The clock, in milliseconds like `Date.now` (the default); inject one to expire uploads without waiting. */
  now?: (() => number) | undefined;
  /** Errors, dropped connections and latency to inject; none by default. */
  faults?: FaultOptions | undefined;
  /** The largest part accepted, in bytes; default `MAX_PART_BYTES` (64 MiB), the API's limit. */
  maxPartBytes?: number | undefined;
  /**
   * Refuse a part that would take the sum of an upload's parts (stored, plus those still
   * arriving) past the upload's `bytes`, with a 400 naming the bytes left. Default false: the
   * spec lets parts be added until the upload holds 8 GiB (`MAX_UPLOAD_BYTES`, always
   * enforced), and only `completeUpload` holds the listed parts to `bytes`. That is what lets
   * a client send a part again after its answer was lost (a dropped connection, a server
   * restarted after it stored the part): the first copy stays behind as an unlisted part.
   * With this on, such a retry of the last part is refused. Either way a single part larger
   * than the upload's `bytes` is refused.
   */
  partsWithinBytes?: boolean | undefined;
  /**
   * How often, in milliseconds, the server sweeps its data directory: it expires due uploads
   * (by the `now` clock) and removes their parts, forgets cancelled and expired uploads an hour
   * after their `expires_at`, and removes part files that belong to no upload. Default 60000;
   * it also sweeps once on start. The timer does not keep the process alive.
   */
  sweepIntervalMs?: number | undefined;
  /**
   * Serve https with this certificate and key (PEM), so a client's TLS path can be tested:
   * `url` then starts with `https://`. The certificate must name the host the client uses
   * (`127.0.0.1` by default), and the client must trust it (`NODE_EXTRA_CA_CERTS`).
   */
  tls?:
    | {
        /** The server's certificate, PEM. */
        cert: string | Buffer;
        /** Its private key, PEM. */
        key: string | Buffer;
      }
    | undefined;
}

/** Counters of what the server has seen, for tests and benchmarks to assert on. */
export interface ServerStats {
  /** Every request received, including rejected and faulted ones. */
  readonly requests: number;
  /** Requests per operation, counted once the path and method name one, whatever the outcome. */
  readonly byOperation: Readonly<Record<OperationId, number>>;
  /** Bytes of part data received and stored, including parts later discarded or orphaned. */
  readonly partBytes: number;
  /** Injected faults: error responses plus dropped connections. */
  readonly faults: number;
}

/** A running local Uploads server. */
export interface LocalServer {
  /**
   * The base URL, like the real API's: `http://127.0.0.1:PORT/v1`. In Azure mode (the `azure`
   * option) it is the endpoint instead, `http://127.0.0.1:PORT` without a path, which is what
   * Azure OpenAI clients take as `endpoint` (`AZURE_OPENAI_ENDPOINT`): they add `/openai` (and
   * `?api-version=`), or `/openai/v1`, themselves.
   */
  readonly url: string;
  /** The data directory: the `dataDir` option, or the temp directory the server made. */
  readonly dataDir: string;
  /** Live counters; they keep changing as requests arrive. */
  readonly stats: ServerStats;
  /**
   * The upload as the API would return it now, plus its stored parts; undefined for an unknown
   * id, and for a cancelled or expired upload an hour after its `expires_at`, once a sweep
   * (see `sweepIntervalMs`) has freed it.
   */
  getUpload(uploadId: string): UploadSnapshot | undefined;
  /**
   * Every upload the server holds, oldest first, as `getUpload` shows each: how a test finds
   * uploads left behind (created, then abandoned or cancelled) by the code under test. That is
   * every upload created (on this data directory, across restarts) except the cancelled and
   * expired ones a sweep has freed, which the API then answers with 404.
   */
  listUploads(): UploadSnapshot[];
  /** The path of a completed upload's assembled bytes; undefined for an unknown file id. */
  fileContentPath(fileId: string): string | undefined;
  /**
   * Stops the server: stops listening and sweeping, destroys open connections (cutting off
   * requests in flight), waits for their handlers to finish, closes the journal and removes
   * the data directory if the server created it. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** The `azure` option checked and with its defaults; undefined when off. */
function azureRouting(option: LocalServerOptions["azure"]): AzureRouting | undefined {
  if (!option) return undefined;
  const apiVersions = (option === true ? undefined : option.apiVersions) ?? AZURE_API_VERSIONS;
  if (!Array.isArray(apiVersions) || apiVersions.length === 0) {
    throw new RangeError(
      "azure.apiVersions must list at least one api-version (like '2024-10-21'); leave it out for AZURE_API_VERSIONS.",
    );
  }
  const bad = apiVersions.findIndex((v) => typeof v !== "string" || !/^[^\s&#]+$/.test(v));
  if (bad !== -1) {
    throw new RangeError(
      `azure.apiVersions must be non-empty strings without spaces, '&' or '#', like '2024-10-21'; apiVersions[${bad}] is ${JSON.stringify(apiVersions[bad]) ?? "undefined"}.`,
    );
  }
  return { apiVersions: [...apiVersions] };
}

/** A URL host for a listening address: wildcard addresses are reached via loopback. */
function urlHost({ address, family }: AddressInfo): string {
  if (address === "0.0.0.0") return "127.0.0.1";
  if (address === "::") return "[::1]";
  return family === "IPv6" ? `[${address}]` : address;
}

/**
 * Starts a stateful, in-process implementation of the Uploads API (create, add parts,
 * complete, cancel) that behaves as `openapi/uploads.yaml` describes the real one: bearer
 * auth, OpenAI-shaped errors, an `x-request-id` on every response, parts streamed to disk,
 * byte totals and MD5 checked on completion, expiry by the injected clock, and optional
 * seeded fault injection. It serves both `/v1/uploads…` and `/uploads…`; with the `azure`
 * option, Azure OpenAI's paths and auth instead.
 *
 * Its state lives in the data directory: every change is journaled before it is answered, so
 * a server started again on the same `dataDir` (and port) after a crash, even `kill -9`, lets
 * its clients finish their uploads. In a `dataDir` of the caller's, every journal write and
 * every part's and file's bytes and name are also flushed to the disk (fsync) before they
 * count, so a power loss loses nothing acknowledged either; a temp dir skips that. One server
 * at a time uses a `dataDir`: a second one fails to start, naming the first one's pid. It
 * holds uploads to the API's rules: a part larger than its upload, one that would take the
 * upload past 8 GiB (or past its `bytes`, with `partsWithinBytes`) and an empty part are
 * refused, as is a blank filename. A full disk is answered at once, with a 507 that names the
 * directory.
 *
 * Options are checked up front: a bad `maxPartBytes`, `sweepIntervalMs`, `azure.apiVersions`
 * or fault option throws a RangeError before anything is created. A journal that is corrupt (not merely cut
 * short by a crash) rejects, naming the line.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const maxPartBytes = options.maxPartBytes ?? MAX_PART_BYTES;
  if (!Number.isInteger(maxPartBytes) || maxPartBytes < 1) {
    throw new RangeError(`maxPartBytes must be a positive integer, got ${options.maxPartBytes}.`);
  }
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  if (!(Number.isFinite(sweepIntervalMs) && sweepIntervalMs > 0)) {
    throw new RangeError(`sweepIntervalMs must be a positive number of milliseconds, got ${options.sweepIntervalMs}.`);
  }
  const azure = azureRouting(options.azure);
  const faults = options.faults && createFaultInjector(options.faults);
  const disk = await openDataDir(options.dataDir);
  let store: UploadStore;
  try {
    store = await UploadStore.open(disk, options.now ?? Date.now, {
      partsWithinBytes: options.partsWithinBytes,
      azure: azure !== undefined,
    });
  } catch (error) {
    await disk.dispose();
    throw error;
  }
  const stats = {
    requests: 0,
    byOperation: Object.fromEntries(operationIds.map((id) => [id, 0])) as Record<OperationId, number>,
    partBytes: 0,
    faults: 0,
  };
  const context: OperationContext = {
    store,
    maxPartBytes,
    onPartStored: (bytes) => {
      stats.partBytes += bytes;
    },
  };
  // Aborted by close(), so a request sleeping in an injected delay does not hold it up.
  const closing = new AbortController();
  // One listener per request sleeping in an injected delay; any number of them is expected.
  setMaxListeners(0, closing.signal);
  const inflight = new Set<Promise<void>>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests += 1;
    res.setHeader("x-request-id", newId("req_"));
    if (applyCors(req, res, options.cors ?? "loopback")) return;
    try {
      const target = route(req.method, req.url ?? "/", azure);
      stats.byOperation[target.operationId] += 1;
      if (azure) authenticateAzure(req.headers, options.apiKey);
      else authenticate(req.headers.authorization, options.apiKey);
      const plan = faults?.(target.operationId);
      if (plan?.delayMs) await sleep(plan.delayMs, undefined, { signal: closing.signal });
      if (plan?.error || plan?.dropBeforeStore) stats.faults += 1;
      if (plan?.error) throw plan.error;
      if (plan?.dropBeforeStore) {
        req.socket.destroy();
        return;
      }
      const body = await handlers[target.operationId](context, target.params as never, req);
      if (plan?.dropAfterStore) {
        stats.faults += 1;
        req.socket.destroy();
        return;
      }
      sendJson(res, 200, body);
    } catch (error) {
      // The client went away or close() cut the connection: there is nobody left to answer.
      if (!req.socket || req.socket.destroyed || res.destroyed) return;
      const answer =
        error instanceof ApiError
          ? error
          : new ApiError(500, `The local server failed: ${(error as Error).message}`, { type: "server_error" });
      sendJson(res, answer.status, answer.toBody(), answer.headers);
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // handle() answers its own errors; this catch only keeps a bug there from killing the host process.
    const handling = handle(req, res)
      .catch(() => {
        req.socket?.destroy();
      })
      .finally(() => inflight.delete(handling));
    inflight.add(handling);
  };
  const server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest);
  server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  try {
    await once(server, "listening");
  } catch (error) {
    await store.close();
    await disk.dispose();
    throw error;
  }

  // One sweep at a time: a slow one (a big directory, a slow disk) is not run twice at once.
  let sweeping: Promise<void> | undefined;
  const sweep = () => {
    sweeping ??= store
      .sweep()
      .catch(() => undefined)
      .finally(() => {
        sweeping = undefined;
      });
  };
  const sweeper = setInterval(sweep, sweepIntervalMs);
  // A test or a CLI process ends when its work does, not when the next sweep is due.
  sweeper.unref();

  let closed: Promise<void> | undefined;
  return {
    url: `${options.tls ? "https" : "http"}://${urlHost(server.address() as AddressInfo)}:${(server.address() as AddressInfo).port}${azure ? "" : "/v1"}`,
    dataDir: disk.root,
    stats,
    getUpload: (uploadId) => store.inspect(uploadId),
    listUploads: () => store.list(),
    fileContentPath: (fileId) => store.filePath(fileId),
    close() {
      closed ??= (async () => {
        clearInterval(sweeper);
        closing.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
        await Promise.allSettled(inflight);
        await sweeping;
        await store.close();
        await disk.dispose();
      })();
      return closed;
    },
  };
}
