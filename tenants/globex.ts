import type { TenantInput } from "@ppi/config"

/** A large customer: spread across nodes and zones, pinned to an audited API release. */
export default {
  name: "globex",
  tier: "enterprise",
  displayName: "Globex Industries",
  hostnames: ["app.globex.example", "api.globex.example"],
  image: { tag: "1.4.1" },
  replicas: 4,
  resources: { cpuMillis: 2000, memoryMiB: 4096 },
  env: {
    EMAIL_FROM: "no-reply@globex.example",
    EMAIL_PROVIDER: "smtp",
    SMTP_HOST: "smtp.globex.example",
    SMTP_PORT: "587",
    SMTP_USER: "portal",
  },
  features: { sso: true, "audit-log": true },
  owner: { email: "it-ops@globex.example" },
  labels: { "cost-center": "cc-7", compliance: "soc2" },
} satisfies TenantInput
