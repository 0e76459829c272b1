/**
 * A local server in a process of its own, for tests that kill it with SIGKILL and start it
 * again: `node --import tsx tests/server/child-server.ts '<LocalServerOptions as JSON>'`.
 * Prints one JSON line, `{"url": ...}`, on stdout once it listens; SIGTERM closes it.
 */
import { startLocalServer } from "../../src/testing.js";

const server = await startLocalServer(JSON.parse(process.argv[2] ?? "{}"));
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
