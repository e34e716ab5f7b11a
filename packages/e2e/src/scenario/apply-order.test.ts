import { describe, expect, it } from "@effect/vitest"
import type { KubeObject } from "../control-plane/kube-api.ts"
import { applyOrder, type DeclaredResource, type Placed, undeclaredNeeds } from "./apply-order.ts"

const object = (kind: string, name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: kind === "Namespace" || kind === "ConfigMap" || kind === "Service" ? "v1" : "apps/v1",
  kind,
  metadata: { name },
  ...extra,
})
const crd = (kind: string, scope: "Namespaced" | "Cluster"): KubeObject => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${kind.toLowerCase()}s.example.com` },
  spec: { group: "example.com", scope, names: { kind }, versions: [{ name: "v1" }] },
})
const custom = (kind: string, name: string): KubeObject => ({ apiVersion: "example.com/v1", kind, metadata: { name } })
const at = (resource: string, item: KubeObject, defaultNamespace = "apps"): Placed => ({
  object: item,
  resource,
  defaultNamespace,
})
const names = (placed: ReadonlyArray<Placed>) =>
  placed.map(({ object: { kind, metadata } }) => `${kind}/${metadata.name}`)

describe("applyOrder", () => {
  it("applies an object after everything its resource waits for, though its kind ranks first", () => {
    const resources: ReadonlyArray<DeclaredResource> = [
      { urn: "ns", dependencies: [] },
      { urn: "crds", dependencies: ["ns"] },
      { urn: "app", dependencies: [] },
    ]
    const placed = [
      at("app", object("Deployment", "web")),
      at("crds", crd("Widget", "Namespaced")),
      at("ns", object("Namespace", "apps")),
    ]
    // The kind ranking alone would put the CRD before the namespace it was declared to wait for.
    expect(names(applyOrder(placed, resources))).toEqual([
      "Namespace/apps",
      "CustomResourceDefinition/widgets.example.com",
      "Deployment/web",
    ])
  })

  it("makes a child wait for what its component waits for, through resources that are no objects", () => {
    const resources: ReadonlyArray<DeclaredResource> = [
      { urn: "service", dependencies: [] },
      // A password between them: no Kubernetes object, still on the path.
      { urn: "password", dependencies: ["service"] },
      { urn: "component", dependencies: ["password"] },
      { urn: "config", parent: "component", dependencies: [] },
    ]
    const placed = [at("config", object("ConfigMap", "settings")), at("service", object("Service", "api"))]
    // By kind the ConfigMap (config) would go before the Service (workloads' neighbours).
    expect(names(applyOrder(placed, resources))).toEqual(["Service/api", "ConfigMap/settings"])
  })

  it("orders the objects of one manifest by kind, then as written", () => {
    const resources: ReadonlyArray<DeclaredResource> = [{ urn: "file", dependencies: [] }]
    const placed = [
      at("file", custom("Widget", "w")),
      at("file", object("Deployment", "b")),
      at("file", object("Deployment", "a")),
      at("file", object("Namespace", "apps")),
      at("file", crd("Widget", "Namespaced")),
    ]
    expect(names(applyOrder(placed, resources))).toEqual([
      "CustomResourceDefinition/widgets.example.com",
      "Namespace/apps",
      "Deployment/b",
      "Deployment/a",
      "Widget/w",
    ])
  })

  it("refuses a dependency cycle", () => {
    const resources: ReadonlyArray<DeclaredResource> = [
      { urn: "a", dependencies: ["b"] },
      { urn: "b", dependencies: ["a"] },
    ]
    expect(() => applyOrder([at("a", object("ConfigMap", "x")), at("b", object("ConfigMap", "y"))], resources)).toThrow(
      /cycle/,
    )
  })
})

describe("undeclaredNeeds", () => {
  const resources: ReadonlyArray<DeclaredResource> = [
    { urn: "ns", dependencies: [] },
    { urn: "crds", dependencies: [] },
    { urn: "component", dependencies: ["ns", "crds"] },
    { urn: "waits", parent: "component", dependencies: [] },
    { urn: "careless", dependencies: [] },
  ]
  const base = [at("ns", object("Namespace", "apps")), at("crds", crd("Widget", "Namespaced"))]

  it("names a custom resource and a namespaced object whose resource does not wait for their CRD and namespace", () => {
    expect(
      undeclaredNeeds(
        [...base, at("careless", custom("Widget", "w")), at("careless", object("Deployment", "d"))],
        resources,
      ),
    ).toEqual([
      "Widget/apps/w needs CustomResourceDefinition//widgets.example.com but does not wait for it",
      "Widget/apps/w needs Namespace//apps but does not wait for it",
      "Deployment/apps/d needs Namespace//apps but does not wait for it",
    ])
  })

  it("accepts what a resource waits for through its component, and what one manifest declares itself", () => {
    expect(
      undeclaredNeeds(
        [
          ...base,
          at("waits", custom("Widget", "w")),
          at("waits", object("Deployment", "d")),
          at("file", object("Namespace", "own")),
          at("file", object("Deployment", "inside"), "own"),
        ],
        [...resources, { urn: "file", dependencies: [] }],
      ),
    ).toEqual([])
  })

  it("asks no namespace of a cluster-scoped object, built in or custom", () => {
    const placed = [
      ...base,
      at("crds", crd("Gadget", "Cluster")),
      at("careless", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r" } }),
      at("careless", custom("Gadget", "g")),
    ]
    expect(undeclaredNeeds(placed, resources)).toEqual([
      "Gadget//g needs CustomResourceDefinition//gadgets.example.com but does not wait for it",
    ])
  })
})
