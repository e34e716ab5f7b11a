import { defineConfig } from "vitest/config"

// The CLI tests start `pnpm policy` as a process: seconds each on a busy shared runner.
export default defineConfig({
  test: { include: ["src/**/*.test.ts"], testTimeout: 60_000 },
})
