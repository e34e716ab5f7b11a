import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { TenantInput } from "@ppi/config"

/** A small deterministic PRNG: the same N always gives the same fleet. */
const random = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 2 ** 32
  return seed / 2 ** 32
}

/**
 * A realistic fleet: mostly free tenants, a third pro, a few enterprise; about half with a
 * display name, email settings and feature flags, some with custom domains or pinned versions,
 * a few suspended.
 */
export const fleet = (count: number, seed = 42): ReadonlyArray<TenantInput> => {
  const next = random(seed)
  return Array.from({ length: count }, (_, i): TenantInput => {
    const roll = next()
    const tier = roll < 0.6 ? "free" : roll < 0.92 ? "pro" : "enterprise"
    const name = `tenant-${String(i).padStart(5, "0")}`
    const rich = next() < 0.5
    const base = {
      name,
      ...(rich ? { displayName: `Customer ${i}`, features: { sso: next() < 0.5, "audit-log": true } } : {}),
    }
    const email = rich ? { env: { EMAIL_FROM: `noreply@${name}.example`, EMAIL_PROVIDER: "resend" } } : {}
    const state = next() < 0.03 ? { state: "suspended" as const } : {}
    if (tier === "free") return { ...base, ...email, ...state, tier }
    const hosts = next() < 0.3 ? { hostnames: [`portal.${name}.example`] } : {}
    const pinned = next() < 0.2 ? { image: { tag: "1.4.1" } } : {}
    return tier === "pro"
      ? { ...base, ...email, ...state, ...hosts, ...pinned, tier, replicas: 2 + Math.floor(next() * 3) }
      : {
          ...base,
          ...email,
          ...state,
          ...hosts,
          ...pinned,
          tier,
          replicas: 3 + Math.floor(next() * 5),
          resources: { cpuMillis: 2000, memoryMiB: 4096 },
        }
  })
}

/** Writes the fleet as tenant files, exactly as a user would: one default-exported object per file. */
export const writeFleet = async (dir: string, tenants: ReadonlyArray<TenantInput>): Promise<void> => {
  await mkdir(dir, { recursive: true })
  for (const tenant of tenants)
    await writeFile(
      join(dir, `${tenant.name}.ts`),
      `import type { TenantInput } from "@ppi/config"\n\nexport default ${JSON.stringify(tenant)} satisfies TenantInput\n`,
    )
}
