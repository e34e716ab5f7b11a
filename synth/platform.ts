import type { PlatformInput } from "@ppi/config"

/** The environment every tenant is synthesized for: one file, decoded by `Platform`. */
export default {
  baseDomain: "apps.parametric.dev",
  mode: "selfhosted",
  ingressClass: "traefik",
  ingressNamespace: "traefik",
  clusterIssuer: "letsencrypt-production",
  platformNamespace: "platform",
  operatorSecret: "email-provider",
  images: {
    api: {
      repository: "ghcr.io/parametric-portal/api",
      tag: "1.4.2",
      digest: "sha256:4f1c2a8e7b9d3c6f5a0e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a",
    },
    postgresClient: { repository: "postgres", tag: "17.6-alpine3.22" },
    redisClient: { repository: "redis", tag: "8.6.0-alpine" },
  },
  postgres: {
    selfhosted: {
      host: "postgres.platform-data.svc.cluster.local",
      port: 5432,
      database: "tenants",
      namespace: "platform-data",
      podLabels: { "app.kubernetes.io/name": "postgres" },
      // cluster/ runs the server with exactly this max_connections; the fleet's tier limits must fit.
      maxConnections: 300,
      reservedConnections: 20,
    },
    cloud: {
      host: "tenants.db.internal.parametric.dev",
      port: 5432,
      database: "tenants",
      cidrs: ["10.20.0.0/24"],
      maxConnections: 300,
      reservedConnections: 20,
    },
  },
  redis: {
    selfhosted: {
      host: "redis.platform-data.svc.cluster.local",
      port: 6379,
      namespace: "platform-data",
      podLabels: { "app.kubernetes.io/name": "redis" },
      // cluster/ runs the server with exactly these maxclients and maxmemory (its pod may use 2 GiB).
      maxClients: 2000,
      reservedClients: 20,
      maxMemoryMiB: 1536,
    },
    cloud: {
      host: "tenants.cache.internal.parametric.dev",
      port: 6380,
      cidrs: ["10.20.1.0/24"],
      maxClients: 2000,
      reservedClients: 20,
      maxMemoryMiB: 1536,
    },
  },
  domains: {
    // The platform's own hosts (Argo CD, login, status…) live here: no tenant may claim them.
    reserved: ["parametric.dev"],
    // Custom domains each tenant has proven it owns (DNS TXT challenge, done by the platform team).
    verified: { acme: ["acme.example"], globex: ["globex.example"] },
  },
  // The cluster's allocatable total, for the fleet report's quota chart (pnpm report).
  capacity: { cpuMillis: 256000, memoryMiB: 524288, storageGiB: 500, pods: 330 },
  // A new images.api reaches the fleet in these waves, each Synced + Healthy (and soaked) before the
  // next starts; tenants pinning their own image are never moved (docs/rollouts.md).
  rollout: {
    waves: [
      { name: "canary", select: { names: ["hobby"] }, soakSeconds: 600 },
      { name: "ten-percent", select: { percent: 10 }, soakSeconds: 900 },
      { name: "half", select: { percent: 50 }, soakSeconds: 1800 },
      { name: "everyone", soakSeconds: 0 },
    ],
  },
  deploy: { repoURL: "https://github.com/parametric-portal/infrastructure.git", branch: "deploy" },
} satisfies PlatformInput
