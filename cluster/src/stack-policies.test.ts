import { describe, expect, it } from "@effect/vitest"
import { policies, runPolicy } from "./policy-pack/policies.ts"
import { baseConfig, runStack } from "./testing/mock-stack.ts"

const stack = await runStack({ ...baseConfig, mode: "selfhosted" }, ["dnsCredentials"])

describe("the bootstrap program under its own policy pack", () => {
  it("passes every policy on every resource it creates", () => {
    const violations: Array<string> = []
    for (const resource of stack.resources)
      for (const policy of policies) {
        const urn = `urn:pulumi:prod::ppi-cluster::${resource.type}::${resource.name}`
        runPolicy(policy, { type: resource.type, name: resource.name, props: resource.inputs, urn }, (message) =>
          violations.push(`${policy.name}: ${message}`),
        )
      }
    expect(stack.resources.length).toBeGreaterThan(30)
    expect(violations).toEqual([])
  })
})
