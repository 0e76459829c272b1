import type { TestProject } from "vitest/node";
import { startPrism } from "../../scripts/lib/prism.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the contract suite sends its requests: Prism's URL, or TEST_API_BASE_URL. */
    apiBaseUrl: string;
    /** Whether that is the Prism mock of our own spec (so Prism-only checks apply). */
    isPrism: boolean;
  }
}

/**
 * Starts Prism from openapi/uploads.yaml with --errors for the contract suite and stops it
 * afterwards. With TEST_API_BASE_URL set (e.g. `http://127.0.0.1:PORT/v1` of
 * `openai-uploads serve`), the suite goes there instead and nothing is spawned; the
 * Prism-only checks are skipped, and TEST_API_KEY is sent as the key if the server wants one.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_API_BASE_URL;
  if (external) {
    project.provide("apiBaseUrl", external);
    project.provide("isPrism", false);
    return;
  }
  const prism = await startPrism(["mock", "openapi/uploads.yaml", "--errors"]);
  project.provide("apiBaseUrl", prism.url);
  project.provide("isPrism", true);
  return () => prism.stop();
}
