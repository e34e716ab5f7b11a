import { describe, expect, it } from "@effect/vitest"
import { REDIS_ACL_INIT_SCRIPT, REDIS_WATCHDOG } from "@ppi/dataplane"
import { Effect } from "effect"
import { readPlatformInput } from "./platform-file.ts"
import { baseConfig, runStack } from "./testing/mock-stack.ts"
import { Images, Manifests } from "./versions.ts"

const platform = (await Effect.runPromise(readPlatformInput())) as {
  readonly postgres: { readonly selfhosted: { readonly maxConnections: number } }
  readonly redis: { readonly selfhosted: { readonly maxMemoryMiB: number; readonly maxClients: number } }
}
const stack = await runStack({ ...baseConfig, mode: "selfhosted" }, ["dnsCredentials"])

const images = () =>
  stack.resources.flatMap((r) =>
    [
      ...(r.inputs.spec?.template?.spec?.containers ?? []),
      ...(r.inputs.spec?.template?.spec?.initContainers ?? []),
    ].map((c: { image: string }) => c.image),
  )

describe("cluster bootstrap, self-hosted mode", () => {
  it("installs cert-manager, Longhorn, External Secrets, metrics-server and Argo CD from pinned release manifests, without Helm", () => {
    expect(
      stack
        .ofType("kubernetes:yaml/v2:ConfigFile")
        .map((r) => r.inputs.file)
        .sort(),
    ).toEqual(
      [
        Manifests.argoCd,
        Manifests.certManager,
        Manifests.externalSecretsCrds,
        Manifests.longhorn,
        Manifests.metricsServer,
      ].sort(),
    )
    expect(stack.resources.some((r) => r.type.includes("helm"))).toBe(false)
  })

  it("creates Let's Encrypt staging and production ClusterIssuers", () => {
    const issuers = stack.resources.filter((r) => r.inputs.kind === "ClusterIssuer")
    expect(issuers.map((r) => r.inputs.metadata.name).sort()).toEqual(["letsencrypt-production", "letsencrypt-staging"])
    expect(issuers[0]?.inputs.spec.acme.email).toBe("ops@parametric.dev")
  })

  it("runs Traefik as the ingress class and a StorageClass named longhorn", () => {
    expect(stack.ofType("kubernetes:networking.k8s.io/v1:IngressClass")[0]?.inputs.metadata.name).toBe("traefik")
    const sc = stack.ofType("kubernetes:storage.k8s.io/v1:StorageClass")
    expect(sc.map((r) => [r.inputs.metadata.name, r.inputs.provisioner])).toEqual([["longhorn", "driver.longhorn.io"]])
  })

  it("runs PostgreSQL, Redis and Garage in platform-data on Longhorn volumes, at pinned images", () => {
    const sets = stack.ofType("kubernetes:apps/v1:StatefulSet")
    expect(sets.map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`).sort()).toEqual([
      "platform-data/garage",
      "platform-data/postgres",
      "platform-data/redis",
    ])
    for (const set of sets) expect(set.inputs.spec.volumeClaimTemplates[0].spec.storageClassName).toBe("longhorn")
    expect(images()).toEqual(expect.arrayContaining([Images.postgres, Images.redis, Images.garage, Images.traefik]))
    expect(images().every((image) => /:[\w.-]+$/.test(image) && !image.endsWith(":latest"))).toBe(true)
  })

  it("runs Redis on a writable copy of the ACL file, bounded by maxmemory and maxclients, with the watchdog that ends endless scripts and enforces client budgets", () => {
    const redis = stack.ofType("kubernetes:apps/v1:StatefulSet").find((r) => r.inputs.metadata.name === "redis")
    const pod = redis?.inputs.spec.template.spec
    const [init] = pod.initContainers
    expect(init.command).toEqual(["sh", "-c", REDIS_ACL_INIT_SCRIPT])
    expect(init.env).toEqual([
      { name: "ACL_SOURCE", value: "/etc/redis/users.acl" },
      { name: "ACL_FILE", value: "/data/users.acl" },
    ])
    expect(init.volumeMounts).toEqual([
      { name: "data", mountPath: "/data" },
      { name: "config", mountPath: "/etc/redis", readOnly: true },
    ])
    const [server, watchdog] = pod.containers
    expect(watchdog.command).toEqual(["sh", "-c", REDIS_WATCHDOG])
    expect(watchdog.env.find((e: { name: string }) => e.name === "REDIS_ADMIN_PASSWORD").valueFrom).toEqual({
      secretKeyRef: { name: "redis-acl", key: "password" },
    })
    expect(server.volumeMounts).toEqual([{ name: "data", mountPath: "/data" }])
    const arg = (name: string) => server.args[server.args.indexOf(name) + 1]
    expect(server.args[0]).toBe("redis-server")
    expect(arg("--aclfile")).toBe("/data/users.acl")
    expect(arg("--maxmemory")).toBe(`${platform.redis.selfhosted.maxMemoryMiB}mb`)
    expect(arg("--maxmemory-policy")).toBe("noeviction")
    expect(arg("--maxclients")).toBe(String(platform.redis.selfhosted.maxClients))
    expect(server.resources.limits.memory).toBe(`${2 * platform.redis.selfhosted.maxMemoryMiB}Mi`)
  })

  it("runs PostgreSQL with the max_connections the platform file states", () => {
    const postgres = stack.ofType("kubernetes:apps/v1:StatefulSet").find((r) => r.inputs.metadata.name === "postgres")
    expect(postgres?.inputs.spec.template.spec.containers[0].args).toEqual([
      "postgres",
      "-c",
      `max_connections=${platform.postgres.selfhosted.maxConnections}`,
    ])
  })

  it("keeps the admin credentials in the platform namespace, generated and secret", () => {
    const secrets = stack.ofType("kubernetes:core/v1:Secret").filter((r) => r.inputs.metadata.namespace === "platform")
    expect(secrets.map((r) => r.inputs.metadata.name).sort()).toEqual(["postgres-admin", "redis-admin"])
    expect(stack.ofType("random:index/randomPassword:RandomPassword")).toHaveLength(2)
  })

  it("hardens Argo CD and points the root Application at the deploy branch", () => {
    const cm = stack.ofType("kubernetes:core/v1:ConfigMapPatch")[0]
    expect(cm?.inputs.data["application.resourceTrackingMethod"]).toBe("annotation")
    const defaultProject = stack.resources.find(
      (r) => r.inputs.kind === "AppProject" && r.inputs.metadata.name === "default",
    )
    expect(defaultProject?.inputs.spec).toEqual({
      sourceRepos: [],
      destinations: [],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [],
    })
    const root = stack.resources.find((r) => r.inputs.kind === "Application")
    expect(root?.inputs.spec.source).toMatchObject({
      targetRevision: "deploy",
      // The fleet folder is never read: the platform project below is the only one.
      directory: { recurse: true, include: "*/argocd/*.yaml", exclude: "_platform/*" },
    })
    const platformProject = stack.resources.find(
      (r) => r.inputs.kind === "AppProject" && r.inputs.metadata.name === "platform",
    )
    expect(platformProject?.inputs.spec.destinations).toContainEqual({
      server: "https://kubernetes.default.svc",
      namespace: "!kube-*",
    })
    expect(platformProject?.inputs.spec.clusterResourceWhitelist).toEqual([{ group: "", kind: "Namespace" }])
    expect(root?.inputs.spec.syncPolicy.automated.allowEmpty).toBe(false)
    expect(stack.outputs.rootApplication).toBe("tenants")
  })

  it("prefixes every logical resource name with the stack name", () => {
    expect(stack.resources.filter((r) => !r.name.startsWith("prod-")).map((r) => r.name)).toEqual([])
  })

  it("never passes the DNS token or a generated password to a resource in plaintext outside a Secret", () => {
    const nonSecrets = stack.resources.filter((r) => r.type !== "kubernetes:core/v1:Secret")
    const text = JSON.stringify(nonSecrets.map((r) => r.inputs))
    expect(text).not.toContain("cf-token-value")
    expect(text).not.toContain("generated-")
  })

  it("installs Argo CD's manifest into Argo CD's namespace (the manifest names none)", () => {
    const install = stack.ofType("kubernetes:yaml/v2:ConfigFile").find((r) => r.inputs.file === Manifests.argoCd)
    const provider = stack
      .ofType("pulumi:providers:kubernetes")
      .find((r) => install?.provider?.includes(`::${r.name}::`))
    expect(provider?.inputs.namespace).toBe("argocd")
  })

  it("keeps the part-of label Argo CD selects its settings by on every patch of them", () => {
    const patches = stack.resources.filter((r) => r.type.endsWith("Patch") && r.inputs.metadata?.namespace === "argocd")
    expect(patches.length).toBeGreaterThan(0)
    for (const patch of patches)
      expect(patch.inputs.metadata.labels["app.kubernetes.io/part-of"], patch.name).toBe("argocd")
  })
})
