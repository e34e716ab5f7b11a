import { describe, expect, it } from "@effect/vitest"
import { CREDENTIALS_SECRET, type TenantInput, TierSpecs, Tiers } from "@ppi/config"
import { POSTGRES_PROVISION_SQL, REDIS_PROVISION_SCRIPT } from "@ppi/dataplane"
import { examplePlatform, platformFor } from "../../testing/fixtures.ts"
import { find, render } from "../../testing/render.ts"

/** The object of that kind and name among what the tenant renders to. */
const objectOf = (input: TenantInput, kind: string, name: string, platform = examplePlatform) =>
  find(render(input, platform).objects, kind, name)
const wave = (object: any) => Number(object.metadata.annotations["argocd.argoproj.io/sync-wave"])
const acme: TenantInput = { name: "acme", tier: "pro" }

describe("tenant data plane", () => {
  it("generates the tenant's passwords once, in-cluster, in the platform namespace", () => {
    const generated = objectOf(acme, "ExternalSecret", "tenant-acme-credentials")
    expect(generated.metadata.namespace).toBe("platform")
    expect(generated.spec.refreshPolicy).toBe("CreatedOnce")
    expect(generated.spec.dataFrom.map((entry: any) => entry.rewrite[0].regexp.target)).toEqual([
      "POSTGRES_PASSWORD",
      "REDIS_PASSWORD",
      "SESSION_SECRET",
    ])
    expect(generated.spec.dataFrom[0].sourceRef.generatorRef).toMatchObject({
      kind: "Password",
      name: "tenant-acme-password",
    })
  })

  it("lets the tenant's store read exactly its own credentials and the operator secret", () => {
    const role = objectOf(acme, "Role", "read-tenant-acme-credentials")
    expect(role.metadata.namespace).toBe("platform")
    expect(role.rules).toEqual([
      {
        apiGroups: [""],
        resources: ["secrets"],
        verbs: ["get"],
        resourceNames: ["tenant-acme-credentials", "email-provider"],
      },
    ])
    const binding = objectOf(acme, "RoleBinding", "read-tenant-acme-credentials")
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "credentials-reader", namespace: "acme" }])
    const store = objectOf(acme, "SecretStore", "platform-credentials")
    expect(store.metadata.namespace).toBe("acme")
    expect(store.spec.provider.kubernetes).toMatchObject({
      remoteNamespace: "platform",
      auth: { serviceAccount: { name: "credentials-reader" } },
    })
  })

  it("materializes api-credentials in the tenant namespace with every required secret of the contract", () => {
    const credentials = objectOf(acme, "ExternalSecret", CREDENTIALS_SECRET)
    expect(credentials.metadata.namespace).toBe("acme")
    expect(credentials.spec.target.name).toBe(CREDENTIALS_SECRET)
    expect(credentials.spec.data.map((entry: any) => `${entry.secretKey}<-${entry.remoteRef.key}`)).toEqual([
      "POSTGRES_PASSWORD<-tenant-acme-credentials",
      "REDIS_PASSWORD<-tenant-acme-credentials",
      "SESSION_SECRET<-tenant-acme-credentials",
      "RESEND_API_KEY<-email-provider",
    ])
  })

  it("provisions from the platform namespace with the admin credentials, never from the tenant's", () => {
    const job = objectOf(acme, "Job", "provision-acme")
    expect(job.metadata.namespace).toBe("platform")
    expect(job.metadata.annotations["argocd.argoproj.io/hook"]).toBe("Sync")
    const pod = job.spec.template.spec
    const containers = [...pod.initContainers, ...pod.containers]
    expect(containers.map((c: any) => c.image)).toEqual(["postgres:17.6-alpine3.22", "redis:8.6.0-alpine"])
    const secretsUsed = containers.flatMap((c: any) =>
      c.env.flatMap((e: any) => (e.valueFrom ? [e.valueFrom.secretKeyRef.name] : [])),
    )
    expect(new Set(secretsUsed)).toEqual(new Set(["postgres-admin", "redis-admin", "tenant-acme-credentials"]))
    const tenantObjects = render(acme).objects.filter((o) => o.metadata.namespace === "acme")
    expect(JSON.stringify(tenantObjects)).not.toMatch(/postgres-admin|redis-admin/)
    expect(pod.initContainers[0].command).toEqual([
      "psql",
      "--no-psqlrc",
      "--quiet",
      "-v",
      "role=tenant_acme",
      "-v",
      "schema=tenant_acme",
      "-v",
      "connection_limit=20",
      "-f",
      "/provision/provision.sql",
    ])
  })

  it("hands the Redis provisioning each tier's scripting decision", () => {
    for (const tier of Tiers) {
      const job = objectOf({ name: "acme", tier }, "Job", "provision-acme")
      const env = job.spec.template.spec.containers[0].env
      expect(env.find((e: any) => e.name === "TENANT_REDIS_SCRIPTING")?.value, tier).toBe(
        String(TierSpecs[tier].redisScripting),
      )
    }
    expect(Tiers.filter((tier) => !TierSpecs[tier].redisScripting)).toContain("free")
  })

  it("ships the exact scripts the real-server tests run", () => {
    const scripts = objectOf(acme, "ConfigMap", "provision-acme")
    expect(scripts.data["provision.sql"]).toBe(POSTGRES_PROVISION_SQL)
    expect(scripts.data["provision-redis.sh"]).toBe(REDIS_PROVISION_SCRIPT)
  })

  it("uses TLS to the managed services in cloud mode", () => {
    const job = objectOf(acme, "Job", "provision-acme", platformFor({ mode: "cloud" }))
    const env = (container: any) =>
      Object.fromEntries(container.env.filter((e: any) => e.value).map((e: any) => [e.name, e.value]))
    expect(env(job.spec.template.spec.initContainers[0]).PGSSLMODE).toBe("verify-full")
    expect(env(job.spec.template.spec.containers[0]).REDIS_TLS).toBe("true")
  })

  it("orders the sync: namespace, guardrails, credentials, provisioning", () => {
    const order = [
      wave(objectOf(acme, "Namespace", "acme")),
      wave(objectOf(acme, "ResourceQuota", "tenant-quota")),
      wave(objectOf(acme, "ExternalSecret", "tenant-acme-credentials")),
      wave(objectOf(acme, "SecretStore", "platform-credentials")),
      wave(objectOf(acme, "ExternalSecret", CREDENTIALS_SECRET)),
      wave(objectOf(acme, "Job", "provision-acme")),
    ]
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(new Set(order).size).toBe(order.length)
  })
})
