import type { TenantInput } from "@ppi/config"

/** The smallest tenant there is: the free tier's defaults and nothing else. */
export default {
  name: "hobby",
  tier: "free",
} satisfies TenantInput
