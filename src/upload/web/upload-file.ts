import type { UploadsClient } from "../../core/client.js";
import type { RequestIdentified, Upload } from "../../types.js";
import type { UploadFileOptions } from "../options.js";
import { runUpload } from "../upload-file.js";
import { webPlatform } from "./platform.js";

/**
 * `uploadFile` for browsers, workers and edge runtimes (the package's default export
 * condition): the same contract as under Node, for a Blob, a File or a stream of known size
 * (`bytes`); `webStorageResumeStore()` keeps resume state in `localStorage`. A path is refused with
 * `InvalidArgumentError`. Parts go through the client's fetch, and progress moves as parts
 * are accepted rather than while they stream.
 */
export function uploadFile(client: UploadsClient, options: UploadFileOptions): Promise<Upload & RequestIdentified> {
  return runUpload(webPlatform, client, options);
}
