import { API_PORT, dataNamespaceOf, type Endpoint, endpoints } from "@ppi/config"
import {
  IntOrString,
  KubeNetworkPolicy,
  type NetworkPolicyEgressRule,
  type NetworkPolicySpec,
} from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "./sync-wave.ts"
import type { TenantContext } from "./tenant-context.ts"

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

/**
 * Default deny in both directions, then exactly: the ingress controller to the API port,
 * DNS, and the shared PostgreSQL and Redis. Nothing else leaves or enters the namespace.
 */
export class TenantNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id)
    const { namespace, labels, selector, platform } = context
    const { postgres, redis } = endpoints(platform)
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
          from: [{ namespaceSelector: nsSelector(platform.ingressNamespace) }],
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
      egress: [egressTo(postgres), egressTo(redis)],
    })
  }
}
