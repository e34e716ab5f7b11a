import type { TenantInput } from "@ppi/config"

/** A paused customer: namespace, data and hostnames stay; no pods run until it is reactivated. */
export default {
  name: "initech",
  tier: "pro",
  state: "suspended",
} satisfies TenantInput
