import { API_PORT, dataNamespaceOf, type Endpoint } from "@ppi/config"
import {
  IntOrString,
  KubeNetworkPolicy,
  type NetworkPolicyEgressRule,
  type NetworkPolicySpec,
} from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "./sync-wave.ts"
import type { TenantObjectProps } from "./tenant-context.ts"

const nsSelector = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } })

/** Egress to one shared service: its pods in-cluster (selfhosted) or its address ranges (cloud). */
const egressTo = (endpoint: Endpoint): NetworkPolicyEgressRule => ({
  to:
    endpoint.cidrs !== undefined
      ? endpoint.cidrs.map((cidr) => ({ ipBlock: { cidr } }))
      : [
          {
            namespaceSelector: nsSelector(dataNamespaceOf(endpoint)),
            ...(endpoint.podLabels ? { podSelector: { matchLabels: { ...endpoint.podLabels } } } : {}),
          },
        ],
  ports: [{ protocol: "TCP", port: IntOrString.fromNumber(endpoint.port) }],
})

export interface TenantNetworkPoliciesProps extends TenantObjectProps {
  /** The API pods, the only ones reachable from the ingress controller and allowed to the data services. */
  readonly selector: Readonly<Record<string, string>>
  /** Where the ingress controller runs (`Platform.ingressNamespace`). */
  readonly ingressNamespace: string
  /** The shared services the API may reach, PostgreSQL and Redis of the platform's mode. */
  readonly dataServices: ReadonlyArray<Endpoint>
}

/**
 * Default deny in both directions, then exactly: the ingress controller to the API port,
 * DNS, and the shared PostgreSQL and Redis. Nothing else leaves or enters the namespace.
 */
export class TenantNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: TenantNetworkPoliciesProps) {
    super(scope, id)
    const { namespace, labels, selector, ingressNamespace, dataServices } = props
    const policy = (name: string, spec: NetworkPolicySpec) =>
      new KubeNetworkPolicy(this, name, {
        metadata: { name, namespace, labels, annotations: syncWave(SyncWave.guardrails) },
        spec,
      })

    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] })
    policy("allow-ingress-controller", {
      podSelector: { matchLabels: { ...selector } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: nsSelector(ingressNamespace) }],
          ports: [{ protocol: "TCP", port: IntOrString.fromNumber(API_PORT) }],
        },
      ],
    })
    policy("allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            { namespaceSelector: nsSelector("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
          ],
          ports: [
            { protocol: "UDP", port: IntOrString.fromNumber(53) },
            { protocol: "TCP", port: IntOrString.fromNumber(53) },
          ],
        },
      ],
    })
    policy("allow-data-egress", {
      podSelector: { matchLabels: { ...selector } },
      policyTypes: ["Egress"],
      egress: dataServices.map(egressTo),
    })
  }
}
