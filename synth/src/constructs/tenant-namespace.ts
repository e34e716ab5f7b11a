import { KubeNamespace } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "./sync-wave.ts"
import type { TenantObjectProps } from "./tenant-context.ts"

const PSS_VERSION = "v1.28"

/** The tenant's namespace: its name and the labels it carries besides Pod Security's. */
export type TenantNamespaceProps = TenantObjectProps

/** The tenant's namespace, enforcing Pod Security `restricted` (and auditing/warning on it). */
export class TenantNamespace extends Construct {
  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id)
    new KubeNamespace(this, "namespace", {
      metadata: {
        name: props.namespace,
        annotations: syncWave(SyncWave.namespace),
        labels: {
          ...props.labels,
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": PSS_VERSION,
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/audit-version": PSS_VERSION,
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/warn-version": PSS_VERSION,
        },
      },
    })
  }
}
