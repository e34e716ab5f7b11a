import { defineConfig } from "vitest/config"

// One control plane per run, shared by every scenario step in order: no parallel files.
export default defineConfig({
  test: {
    include: ["src/**/*.e2e.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
})
