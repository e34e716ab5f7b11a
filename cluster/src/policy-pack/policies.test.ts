import { describe, expect, it } from "@effect/vitest"
import { requiredQuotaKeys } from "@ppi/policy"
import { policies, runPolicy, toKubeObject } from "./policies.ts"

const validate = (
  policy: string,
  args: { type: string; name: string; props: Record<string, unknown>; urn?: string },
) => {
  const violations: Array<string> = []
  const found = policies.find((p) => p.name === policy)
  if (found === undefined) throw new Error(`no policy ${policy}`)
  runPolicy(found, { urn: `urn:pulumi:prod::ppi-cluster::${args.type}::${args.name}`, ...args }, (message) =>
    violations.push(message),
  )
  return violations
}

const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "parametric-portal" }
const deployment = (image: string) => ({
  type: "kubernetes:apps/v1:Deployment",
  name: "prod-traefik",
  props: {
    metadata: { name: "traefik", labels },
    spec: { template: { spec: { containers: [{ name: "t", image }] } } },
  },
})

describe("CrossGuard policies (shared rules)", () => {
  it("maps Pulumi Kubernetes types to plain objects", () => {
    expect(toKubeObject("kubernetes:core/v1:Service", { metadata: { name: "x" } })).toMatchObject({
      apiVersion: "v1",
      kind: "Service",
    })
    expect(toKubeObject("kubernetes:apps/v1:Deployment", {})).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
    })
    expect(toKubeObject("random:index/randomPassword:RandomPassword", {})).toBeUndefined()
  })

  it("requires pinned images", () => {
    expect(validate("images-pinned", deployment("traefik:latest"))).toEqual([
      "prod-traefik: container t: image traefik:latest uses latest",
    ])
    expect(validate("images-pinned", deployment("traefik"))).toHaveLength(1)
    expect(validate("images-pinned", deployment("traefik:v3.2.3"))).toEqual([])
  })

  it("requires the platform labels", () => {
    expect(
      validate("required-labels", {
        type: "kubernetes:core/v1:Namespace",
        name: "prod-ns",
        props: { metadata: { name: "x" } },
      }),
    ).toHaveLength(2)
    expect(
      validate("required-labels", {
        type: "kubernetes:core/v1:Namespace",
        name: "prod-ns",
        props: { metadata: { name: "x", labels } },
      }),
    ).toEqual([])
  })

  it("requires complete quotas", () => {
    const quota = (hard: Record<string, string>) => ({
      type: "kubernetes:core/v1:ResourceQuota",
      name: "prod-q",
      props: { metadata: { name: "q", labels }, spec: { hard } },
    })
    expect(validate("quota-complete", quota({ "requests.cpu": "1" })).length).toBeGreaterThan(0)
    expect(validate("quota-complete", quota(Object.fromEntries(requiredQuotaKeys.map((k) => [k, "1"]))))).toEqual([])
  })

  it("requires stack-prefixed logical names", () => {
    expect(validate("stack-prefixed-names", { ...deployment("traefik:v3.2.3"), name: "traefik" })).toEqual([
      "traefik does not start with the stack name prod-",
    ])
    expect(validate("stack-prefixed-names", deployment("traefik:v3.2.3"))).toEqual([])
  })

  it("holds the platform's workloads to the tenants' Pod Security controls", () => {
    const privileged = deployment("traefik:v3.2.3")
    const pod = privileged.props.spec.template.spec as {
      containers: Array<Record<string, unknown>>
      hostNetwork?: boolean
    }
    pod.hostNetwork = true
    expect(validate("pss-baseline-host-namespaces", privileged)).toEqual(["prod-traefik: hostNetwork is true"])
    expect(validate("pss-restricted-run-as-non-root", privileged)).toEqual([
      "prod-traefik: container t: runAsNonRoot is not true",
    ])
  })
})
