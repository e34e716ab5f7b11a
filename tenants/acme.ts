import type { TenantInput } from "@ppi/config"

/** A growing B2B customer: autoscaled API, a custom domain, transactional email. */
export default {
  name: "acme",
  tier: "pro",
  displayName: "Acme Corporation",
  hostnames: ["portal.acme.example"],
  replicas: 2,
  resources: { cpuMillis: 500, memoryMiB: 512 },
  env: { EMAIL_FROM: "portal@acme.example", EMAIL_PROVIDER: "resend" },
  features: { "audit-log": true, "beta-dashboard": false },
  owner: { email: "platform@acme.example", team: "acme-it" },
  labels: { "cost-center": "cc-1042" },
} satisfies TenantInput
