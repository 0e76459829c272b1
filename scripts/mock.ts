/**
 * `npm run mock [-- --port N]`: Prism mocking openapi/uploads.yaml in the foreground, for trying
 * the client or the CLI by hand. Same flags as the contract suite's mock (`--errors`), so a
 * request the spec forbids gets a 422 naming the violation in `sl-violations`. Prism's request
 * log is echoed. Ctrl-C (or SIGTERM) stops it; so does Prism exiting on its own.
 */
import { parseArgs } from "node:util";
import { startPrism } from "./lib/prism.js";

const SPEC = "openapi/uploads.yaml";

function usage(message: string): never {
  console.error(`${message}\nusage: npm run mock [-- --port N]   (default port 4010)`);
  process.exit(2);
}

let port: number;
try {
  const { values } = parseArgs({ options: { port: { type: "string", default: "4010" } } });
  port = Number(values.port);
} catch (error) {
  usage((error as Error).message);
}
if (!Number.isInteger(port) || port < 1 || port > 65_535) usage("--port must be an integer from 1 to 65535.");

let prism: Awaited<ReturnType<typeof startPrism>>;
try {
  prism = await startPrism(["mock", SPEC, "--errors"], {
    port,
    onOutput: (text) => process.stdout.write(text),
  });
} catch (error) {
  // Most often the port is taken: say so plainly, Prism's own output follows.
  console.error(`Could not start Prism on port ${port} (is it in use? try --port N).\n${(error as Error).message}`);
  process.exit(1);
}

console.log(`Prism is mocking ${SPEC} at ${prism.url} (any bearer token); Ctrl-C stops it.`);
console.log(`  try: curl -X POST -H 'Authorization: Bearer sk-any' ${prism.url}/uploads/upload_abc123/cancel`);
console.log(`  or:  OPENAI_API_KEY=sk-any npx openai-uploads --base-url ${prism.url} cancel --upload-id upload_abc123`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  prism.stop().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
prism.exited.then(({ code, signal }) => {
  if (stopping) return;
  console.error(`Prism exited unexpectedly (code ${code}, signal ${signal}).`);
  process.exit(1);
});
