import type { PlatformInput } from "../platform.ts"

const endpoint = { host: "db", port: 5432, database: "tenants" }

/** The smallest valid platform file's value, for the config package's own tests. */
export const minimalPlatformInput: PlatformInput = {
  baseDomain: "apps.example.com",
  mode: "selfhosted",
  images: {
    api: { repository: "ghcr.io/acme/api", tag: "1.0.0" },
    postgresClient: { repository: "postgres", tag: "17.6-alpine3.22" },
    redisClient: { repository: "redis", tag: "8.6.0-alpine" },
  },
  postgres: { selfhosted: endpoint, cloud: { ...endpoint, cidrs: ["10.0.0.0/24"] } },
  redis: { selfhosted: { host: "cache", port: 6379 }, cloud: { host: "cache", port: 6380, cidrs: ["10.0.1.0/24"] } },
  deploy: { repoURL: "https://git.example.com/infra.git" },
}
