/**
 * Prints, as JSON, every resource the real program registers under Pulumi's mocks in one mode:
 * what the e2e applies to its control plane, one mode per run as the e2e asks for them.
 *   node capture-main.ts selfhosted|cloud [PLATFORM_FILE]
 */
import { baseConfig, runStack } from "./mock-stack.ts"

const mode = process.argv[2] === "cloud" ? "cloud" : "selfhosted"
const platformFile: Record<string, string> = process.argv[3] ? { platformFile: process.argv[3] } : {}
const stack = await runStack(
  mode === "cloud"
    ? {
        ...baseConfig,
        ...platformFile,
        mode,
        postgresAdminPassword: "managed-pg-secret",
        redisAdminPassword: "managed-redis-secret",
      }
    : { ...baseConfig, ...platformFile, mode },
  ["dnsCredentials", "postgresAdminPassword", "redisAdminPassword"],
)
process.stdout.write(`${JSON.stringify(stack.resources)}\n`)
