/**
 * The package's entry for browsers, workers and edge runtimes (every runtime without the `node`
 * export condition): no Node built-ins; `uploadFile` takes Blobs and sends parts with fetch.
 */

export * from "./exports.js";
export { uploadFile } from "./upload/web/upload-file.js";
export { createAzureUploadsClient, createUploadsClient } from "./web/client.js";
