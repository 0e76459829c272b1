/**
 * The browser bench's page script, bundled by bench/browser.ts from the sources (src/index.web.ts,
 * as the package's default export condition ships it): uploads the File picked in the page's
 * input and times the call inside the page, so that Playwright's round trips are not counted.
 */
import { createUploadsClient, uploadFile } from "../src/index.web.js";

/** One timed upload: where to, and with which settings. */
export interface TimedUpload {
  baseUrl: string;
  apiKey: string;
  /** Unset: uploadFile's own choice. */
  partSize?: number;
  /** Unset: uploadFile's own choice. */
  concurrency?: number;
  md5: boolean;
}

declare global {
  interface Window {
    /** Uploads the picked file; resolves with the milliseconds uploadFile took. */
    timedUpload(settings: TimedUpload): Promise<number>;
  }
}

window.timedUpload = async ({ baseUrl, apiKey, ...options }) => {
  const file = document.querySelector<HTMLInputElement>("input[type=file]")?.files?.[0];
  if (!file) throw new Error("no file was picked in the page's input");
  const client = createUploadsClient({ apiKey, baseUrl });
  const started = performance.now();
  await uploadFile(client, { file, purpose: "assistants", ...options });
  return performance.now() - started;
};
