import { defineConfig } from "vitest/config";

// What `npm run mutate` (Stryker) runs against each mutant: the tests that exercise src/ as
// source. The CLI and package tests run the built dist/ or a packed tarball, which a mutant of
// src/ never reaches, and the generator's tests the generator, so they are left out.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    include: [
      "tests/client/**/*.test.ts",
      "tests/upload/**/*.test.ts",
      "tests/server/**/*.test.ts",
      "tests/web/**/*.test.ts",
    ],
  },
});
