/**
 * `npm run mock [-- --port N]`: Prism mocking openapi/uploads.yaml (with --errors, so requests
 * the spec forbids get a 422) in the foreground, for trying the client or the CLI by hand.
 * Ctrl-C stops it.
 */
import { parseArgs } from "node:util";
import { startPrism } from "./lib/prism.js";

const { values } = parseArgs({ options: { port: { type: "string", default: "4010" } } });
const prism = await startPrism(["mock", "openapi/uploads.yaml", "--errors"], { port: Number(values.port) });
console.log(`Prism is mocking openapi/uploads.yaml at ${prism.url} (any bearer token); Ctrl-C stops it`);
console.log(`try: OPENAI_API_KEY=sk-any npx openai-uploads --base-url ${prism.url} cancel --upload-id upload_abc123`);
const stop = () => {
  prism.stop().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
