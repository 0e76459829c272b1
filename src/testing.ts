/**
 * Test helpers: a local, stateful implementation of the Uploads API to run the client against,
 * with fault injection for its retry paths. Not part of the client's runtime.
 */
export type { CorsPolicy } from "./server/cors.js";
export type { FaultOptions } from "./server/faults.js";
export type { LocalServer, LocalServerOptions, ServerStats } from "./server/server.js";
export { AZURE_API_VERSIONS, startLocalServer } from "./server/server.js";
export type { OpenAIFile, StoredPart, Upload, UploadPart, UploadSnapshot } from "./server/store.js";
