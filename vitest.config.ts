import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // A test file per core, not vitest's one fewer: most files wait on the processes, servers
    // and sockets they start, so on two cores one worker left a core idle (336 s against 197 s).
    maxWorkers: availableParallelism(),
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // The CLI tests run dist/: built here when the source is newer.
          globalSetup: ["tests/support/fresh-dist.ts"],
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/contract/**", "tests/package/**"],
          typecheck: { enabled: true, include: ["tests/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
        },
      },
      {
        // The contract suite shares one Prism, started from openapi/uploads.yaml by the global setup.
        extends: true,
        test: {
          name: "contract",
          include: ["tests/contract/**/*.test.ts"],
          globalSetup: ["tests/contract/global-setup.ts"],
        },
      },
      {
        // Packs the package, installs it into a fresh project and runs that project: slow, so on its own.
        // The global setup packs and installs once; every file of the suite uses that project.
        extends: true,
        test: {
          name: "package",
          include: ["tests/package/**/*.test.ts"],
          globalSetup: ["tests/package/global-setup.ts"],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
