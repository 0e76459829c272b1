import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { expect, it } from "vitest";
import { freePort } from "../../scripts/lib/prism.js";

const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");

it("npm run mock serves the spec on --port, prints its URL and stops on Ctrl-C, Prism included", async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [tsxCli, "scripts/mock.ts", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exit = once(child, "exit");
  try {
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 20 s:\n${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(` at ${url} `)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", () => reject(new Error(`exited before printing its URL:\n${output}`)));
    });
    const response = await fetch(`${url}/uploads/upload_abc123/cancel`, {
      method: "POST",
      headers: { Authorization: "Bearer sk-test" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: "upload", status: "cancelled" });
  } finally {
    child.kill("SIGINT");
  }
  // A script that ignored Ctrl-C would fail here rather than hang the suite.
  const stuck = setTimeout(() => child.kill("SIGKILL"), 10_000);
  expect(await exit).toEqual([0, null]);
  clearTimeout(stuck);
  // Prism went with it: nothing listens on the port any more.
  await expect(fetch(`${url}/uploads/upload_abc123/cancel`, { method: "POST" })).rejects.toThrow();
});
