import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Workers are reused across files, so Pulumi loads and each stack configuration runs once per
    // worker (src/testing/mock-stack.ts) rather than once per file.
    isolate: false,
  },
})
