import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import {
  decodePlatform,
  PLATFORM_FILE,
  type Platform,
  type PlatformInput,
  platformProject,
  rootApplication,
} from "@ppi/config"
import { contextOf, parseTree } from "@ppi/policy"
import { Effect } from "effect"
import { readPlatformInput } from "../platform-file.ts"
import { admit } from "../testing/admission-cel.ts"
import { argocdAdmissionPolicies } from "./argocd-admission.ts"

const platformInput = (await Effect.runPromise(readPlatformInput())) as PlatformInput
const KEY = "0123456789ABCDEF"
const publicKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n"
const platformOf = (signed: boolean): Platform =>
  Effect.runSync(
    decodePlatform(PLATFORM_FILE, {
      ...platformInput,
      deploy: { ...platformInput.deploy, signingKeys: signed ? [{ keyID: KEY, publicKey }] : [] },
    }),
  )
const platform = platformOf(false)

/** acme's Argo CD objects exactly as synth writes them for the repository's platform file (the golden output). */
const synthesized = (() => {
  const path = "acme/argocd/manifest.yaml"
  const text = readFileSync(new URL(`../../../synth/src/__golden__/${path}`, import.meta.url), "utf8")
  const { folders } = parseTree(new Map([[path, text]]), contextOf())
  return (folders[0]?.objects ?? []).map(({ object }) => object)
})()
const synthesizedNamed = (kind: "AppProject" | "Application", name: string): any => {
  const found = synthesized.find((object) => object.kind === kind && object.metadata.name === name)
  if (found === undefined) throw new Error(`no ${kind}/${name} in acme's argocd folder`)
  return structuredClone(found)
}

const policyNamed = (name: string, of: Platform = platform) => {
  const policy = argocdAdmissionPolicies(of).find((candidate) => candidate.name === name)
  if (policy === undefined) throw new Error(`no policy ${name}`)
  return policy
}

const TENANT = "a tenant's AppProject deploys only into its own namespace, on the in-cluster server"
const TENANT_KINDS = "a tenant's AppProject allows no cluster-scoped kind and only the tenant workload's kinds"
const PLATFORM_REACH = "the platform AppProject reaches exactly the namespaces cluster/ declares for it"
const PLATFORM_KINDS = "the platform AppProject creates only Namespaces cluster-wide and only the platform's kinds"
const APP_SHAPE =
  "a tenant's Application uses its own project, namespace and app folder (its platform Application: the platform project, <tenant>-platform, its platform folder)"

describe("ppi-argocd-projects", () => {
  const policy = policyNamed("ppi-argocd-projects")

  it("admits the tenant project synth writes, cluster/'s platform project and the emptied default project", () => {
    expect(admit(policy, synthesizedNamed("AppProject", "acme"))).toEqual([])
    expect(admit(policy, platformProject(platform))).toEqual([])
    const empty = { sourceRepos: [], destinations: [], clusterResourceWhitelist: [], namespaceResourceWhitelist: [] }
    expect(admit(policy, { metadata: { name: "default" }, spec: empty })).toEqual([])
  })

  it("refuses the platform project as the deploy branch would redefine it: another namespace, kind or a dropped deny", () => {
    const wider = platformProject(platform)
    wider.spec.destinations.push({ server: "https://kubernetes.default.svc", namespace: "kube-system" })
    expect(admit(policy, wider)).toEqual([PLATFORM_REACH])
    const undenied = platformProject(platform)
    undenied.spec.destinations = undenied.spec.destinations.filter((d) => d.namespace !== "!kube-*")
    expect(admit(policy, undenied)).toEqual([PLATFORM_REACH])
    const secrets = platformProject(platform)
    secrets.spec.namespaceResourceWhitelist.push({ group: "", kind: "Secret" })
    expect(admit(policy, secrets)).toEqual([PLATFORM_KINDS])
    const clusterWide = platformProject(platform)
    clusterWide.spec.clusterResourceWhitelist.push({ group: "*", kind: "*" })
    expect(admit(policy, clusterWide)).toEqual([PLATFORM_KINDS])
  })

  it("refuses a default project that deploys anything", () => {
    const spec = { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }] }
    expect(admit(policy, { metadata: { name: "default" }, spec })).toEqual(["the default AppProject stays empty"])
  })

  it("refuses a wide-open extra project, and one named after a platform namespace", () => {
    const evil = {
      metadata: { name: "evil" },
      spec: {
        sourceRepos: ["*"],
        destinations: [{ server: "*", namespace: "*" }],
        clusterResourceWhitelist: [{ group: "*", kind: "*" }],
      },
    }
    expect(admit(policy, evil)).toEqual([
      "an Argo CD AppProject sources only the deploy repository https://github.com/parametric-portal/infrastructure.git",
      TENANT,
      TENANT_KINDS,
    ])
    for (const name of ["kube-system", "argocd", "platform-data", "traefik"]) {
      const project = synthesizedNamed("AppProject", "acme")
      project.metadata.name = name
      project.spec.destinations[0].namespace = name
      expect(admit(policy, project), name).toEqual([
        "an Argo CD AppProject other than platform and default is a tenant's, never named after a platform namespace",
      ])
    }
  })

  it("refuses a tenant project reaching another namespace, another server, or a kind synth does not give it", () => {
    const globex = synthesizedNamed("AppProject", "acme")
    globex.spec.destinations.push({ server: "https://kubernetes.default.svc", namespace: "globex" })
    expect(admit(policy, globex)).toEqual([TENANT])
    const byName = synthesizedNamed("AppProject", "acme")
    byName.spec.destinations = [{ name: "in-cluster", namespace: "acme" }]
    expect(admit(policy, byName)).toEqual([TENANT])
    const roles = synthesizedNamed("AppProject", "acme")
    roles.spec.namespaceResourceWhitelist.push({ group: "rbac.authorization.k8s.io", kind: "RoleBinding" })
    expect(admit(policy, roles)).toEqual([TENANT_KINDS])
    const everything = synthesizedNamed("AppProject", "acme")
    everything.spec.namespaceResourceWhitelist = [{ group: "*", kind: "*" }]
    expect(admit(policy, everything)).toEqual([TENANT_KINDS])
  })

  it("refuses roles, source namespaces and impersonation on any project", () => {
    for (const [field, value] of [
      ["roles", [{ name: "ci", policies: ["p, proj:acme:ci, applications, *, acme/*, allow"] }]],
      ["sourceNamespaces", ["*"]],
      [
        "destinationServiceAccounts",
        [{ server: "*", namespace: "*", defaultServiceAccount: "argocd-application-controller" }],
      ],
    ] as const) {
      const project = synthesizedNamed("AppProject", "acme")
      project.spec[field] = value
      expect(admit(policy, project), field).toEqual([
        "an Argo CD AppProject grants no roles, source namespaces or impersonated service accounts",
      ])
    }
  })

  it("requires exactly the platform's keys of every project when it lists any", () => {
    const signed = platformOf(true)
    const strict = policyNamed("ppi-argocd-projects", signed)
    const message = `an Argo CD AppProject requires exactly the deploy keys ${KEY} of a commit`
    expect(admit(strict, platformProject(signed))).toEqual([])
    const acme = synthesizedNamed("AppProject", "acme")
    expect(admit(strict, acme)).toEqual([message])
    acme.spec.signatureKeys = [{ keyID: KEY }]
    expect(admit(strict, acme)).toEqual([])
    acme.spec.signatureKeys.push({ keyID: "FEDCBA9876543210" })
    expect(admit(strict, acme)).toEqual([message])
    expect(admit(strict, platformProject(platform))).toEqual([message])
  })
})

describe("ppi-argocd-applications", () => {
  const policy = policyNamed("ppi-argocd-applications")

  it("admits the root Application and both of a tenant's, as cluster/ and synth write them", () => {
    expect(admit(policy, rootApplication(platform))).toEqual([])
    expect(admit(policy, synthesizedNamed("Application", "acme"))).toEqual([])
    expect(admit(policy, synthesizedNamed("Application", "acme-platform"))).toEqual([])
  })

  it("refuses a root Application that reads the fleet folder again, or anything else", () => {
    const root = rootApplication(platform) as any
    delete root.spec.source.directory.exclude
    expect(admit(policy, root)).toEqual([
      "the root Application tenants reads exactly what cluster/ declares; no other Application reads a directory source",
    ])
  })

  it("refuses a tenant's Application reaching into another tenant, its own guardrails or a platform namespace", () => {
    const intoGlobex = synthesizedNamed("Application", "acme")
    intoGlobex.spec.destination.namespace = "globex"
    expect(admit(policy, intoGlobex)).toEqual([APP_SHAPE])
    const ownGuardrails = synthesizedNamed("Application", "acme")
    ownGuardrails.spec.source.path = "acme/platform"
    expect(admit(policy, ownGuardrails)).toEqual([APP_SHAPE])
    const platformForGlobex = synthesizedNamed("Application", "acme-platform")
    platformForGlobex.spec.source.path = "globex/platform"
    expect(admit(policy, platformForGlobex)).toEqual([APP_SHAPE])
    const intoKubeSystem = synthesizedNamed("Application", "acme-platform")
    intoKubeSystem.metadata.name = "kube-system-platform"
    intoKubeSystem.spec.destination.namespace = "kube-system"
    intoKubeSystem.spec.source.path = "kube-system/platform"
    expect(admit(policy, intoKubeSystem)).toEqual([
      "a tenant's Application never deploys into a platform namespace nor uses the default project",
    ])
  })

  it("refuses the platform project for a workload, and another repository, revision, renderer or cluster", () => {
    const platformWorkload = synthesizedNamed("Application", "acme")
    platformWorkload.spec.project = "platform"
    expect(admit(policy, platformWorkload)).toEqual([APP_SHAPE])
    const sourceMessage =
      "an Argo CD Application reads plain manifests from https://github.com/parametric-portal/infrastructure.git at deploy only"
    for (const change of [
      (app: any) => {
        app.spec.source.repoURL = "https://evil.example/infra.git"
      },
      (app: any) => {
        app.spec.source.targetRevision = "main"
      },
      (app: any) => {
        app.spec.source.helm = { valuesObject: {} }
      },
      (app: any) => {
        app.spec.sources = [app.spec.source]
      },
      (app: any) => {
        app.spec.sourceHydrator = { drySource: { repoURL: "https://evil.example/infra.git", path: "." } }
      },
    ]) {
      const app = synthesizedNamed("Application", "acme")
      change(app)
      expect(admit(policy, app)).toEqual([sourceMessage])
    }
    const elsewhere = synthesizedNamed("Application", "acme")
    elsewhere.spec.destination.server = "https://203.0.113.7:6443"
    expect(admit(policy, elsewhere)).toEqual([
      "an Argo CD Application deploys to the in-cluster server, into a namespace it names",
    ])
  })
})

describe("ppi-argocd-namespaces", () => {
  const policy = policyNamed("ppi-argocd-namespaces")
  const tracked = { "argocd.argoproj.io/tracking-id": "acme-platform:/Namespace:acme/acme" }
  const namespace = (name: string, labels: Record<string, string>, annotations?: Record<string, string>) => ({
    metadata: { name, labels, ...(annotations ? { annotations } : {}) },
  })
  const tenantLabels = { "platform.parametric.dev/tenant": "acme", "pod-security.kubernetes.io/enforce": "restricted" }

  it("admits a tenant Namespace Argo CD applies, and leaves namespaces it does not apply alone", () => {
    expect(admit(policy, namespace("acme", tenantLabels, tracked))).toEqual([])
    expect(admit(policy, namespace("cert-manager", {}))).toBe("not matched")
  })
  it("refuses a Namespace Argo CD would create without the tenant label or restricted Pod Security", () => {
    const message = [
      "a Namespace Argo CD applies is a tenant's: platform.parametric.dev/tenant set to its own name and Pod Security enforce=restricted",
    ]
    expect(admit(policy, namespace("miner", {}, tracked))).toEqual(message)
    expect(admit(policy, namespace("miner", { "platform.parametric.dev/tenant": "acme" }, tracked))).toEqual(message)
    expect(
      admit(
        policy,
        namespace("acme", { ...tenantLabels, "pod-security.kubernetes.io/enforce": "privileged" }, tracked),
      ),
    ).toEqual(message)
  })
})
