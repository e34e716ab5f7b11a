import { isReservedName, type TenantInput, TierSpecs, Tiers } from "@ppi/config"
import fc from "fast-check"

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/).filter((name) => !name.includes("--"))

export const tenantName = label.filter((name) => name.length <= 40 && !isReservedName(name))

const hostname = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
    fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
    fc.constantFrom("com", "io", "dev", "example"),
  )
  .map(([a, b, tld]) => `${a}.${b}.${tld}`)

const between = (range: { min: number; max: number }) => fc.integer({ min: range.min, max: range.max })

/** Any valid tenant file: every tier, every optional field, within the tier's bounds. */
export const arbitraryTenant = (name: fc.Arbitrary<string> = tenantName): fc.Arbitrary<TenantInput> =>
  fc.constantFrom(...Tiers).chain((tier) => {
    const spec = TierSpecs[tier]
    return fc.record(
      {
        name,
        tier: fc.constant(tier),
        displayName: fc.string({ minLength: 1, maxLength: 63 }),
        hostnames: fc.uniqueArray(hostname, { maxLength: spec.maxCustomHostnames }),
        image: fc.record({ tag: fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/) }),
        replicas: between(spec.replicas),
        resources: fc.record({ cpuMillis: between(spec.cpuMillis), memoryMiB: between(spec.memoryMiB) }),
        env: fc.dictionary(
          fc.constantFrom("EMAIL_FROM", "SMTP_HOST", "APP_MODE", "LOG_LEVEL", "REGION"),
          fc.string({ maxLength: 40 }),
          {
            maxKeys: 3,
          },
        ),
        features: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.boolean(), { maxKeys: 4 }),
        owner: fc.record({ email: fc.constantFrom("ops@acme.io", "a.b@c.example") }),
        labels: fc.dictionary(fc.constantFrom("cost-center", "team", "region"), fc.stringMatching(/^[a-z0-9]{1,10}$/), {
          maxKeys: 2,
        }),
        state: fc.constantFrom("active", "active", "suspended", "decommissioned"),
      },
      { requiredKeys: ["name", "tier"] },
    ) as fc.Arbitrary<TenantInput>
  })
