import { KubeLimitRange, KubeResourceQuota, Quantity } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import type { TierPlan } from "../factory/tier-plan.ts"
import { SyncWave, syncWave } from "./sync-wave.ts"
import type { TenantObjectProps } from "./tenant-context.ts"

const q = (value: string) => Quantity.fromString(value)

export interface TenantGuardrailsProps extends TenantObjectProps {
  /** The namespace's total: pods, CPU, memory, storage and claims (`TierPlan.quota`). */
  readonly quota: TierPlan["quota"]
  /** Per-container defaults and ceilings (`TierPlan.containerLimits`). */
  readonly containerLimits: TierPlan["containerLimits"]
}

/** ResourceQuota and LimitRange sized by tier: the tenant can never take more than its tier. */
export class TenantGuardrails extends Construct {
  constructor(scope: Construct, id: string, props: TenantGuardrailsProps) {
    super(scope, id)
    const { quota, containerLimits: limits, namespace, labels } = props
    new KubeResourceQuota(this, "quota", {
      metadata: { name: "tenant-quota", namespace, labels, annotations: syncWave(SyncWave.guardrails) },
      spec: {
        hard: {
          pods: q(String(quota.pods)),
          "requests.cpu": q(`${quota.cpuMillis}m`),
          "limits.cpu": q(`${quota.cpuMillis * 2}m`),
          "requests.memory": q(`${quota.memoryMiB}Mi`),
          "limits.memory": q(`${quota.memoryMiB}Mi`),
          "requests.storage": q(`${quota.storageGiB}Gi`),
          "requests.ephemeral-storage": q(`${quota.pods}Gi`),
          persistentvolumeclaims: q(String(quota.pvcs)),
          services: q("4"),
          "services.loadbalancers": q("0"),
          "services.nodeports": q("0"),
          configmaps: q("16"),
          secrets: q("16"),
          "count/deployments.apps": q("4"),
          "count/jobs.batch": q("8"),
          "count/ingresses.networking.k8s.io": q("2"),
        },
      },
    })
    new KubeLimitRange(this, "limits", {
      metadata: { name: "tenant-limits", namespace, labels, annotations: syncWave(SyncWave.guardrails) },
      spec: {
        limits: [
          {
            type: "Container",
            default: { cpu: q(`${limits.defaultCpuMillis * 2}m`), memory: q(`${limits.defaultMemoryMiB}Mi`) },
            defaultRequest: { cpu: q(`${limits.defaultCpuMillis}m`), memory: q(`${limits.defaultMemoryMiB}Mi`) },
            max: { cpu: q(`${limits.maxCpuMillis * 2}m`), memory: q(`${limits.maxMemoryMiB}Mi`) },
            min: { cpu: q("10m"), memory: q("16Mi") },
          },
          { type: "PersistentVolumeClaim", max: { storage: q(`${quota.storageGiB}Gi`) } },
        ],
      },
    })
  }
}
