/**
 * The package's entry under Node (and Bun and Deno, which honour the `node` export condition):
 * `uploadFile` opens paths on disk and streams parts with node:http.
 *
 * @packageDocumentation
 */
export * from "./exports.js";
export { createAzureUploadsClient, createUploadsClient } from "./node/client.js";
export { fileResumeStore, stateDirectory } from "./upload/node/file-resume-store.js";
export { uploadFile } from "./upload/node/upload-file.js";
