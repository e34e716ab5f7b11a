import { KubeLimitRange, KubeResourceQuota, Quantity } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "./sync-wave.ts"
import type { TenantContext } from "./tenant-context.ts"

const q = (value: string) => Quantity.fromString(value)

/** ResourceQuota and LimitRange sized by tier: the tenant can never take more than its tier. */
export class TenantGuardrails extends Construct {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id)
    const { plan, namespace, labels } = context
    const limits = plan.containerLimits
    new KubeResourceQuota(this, "quota", {
      metadata: { name: "tenant-quota", namespace, labels, annotations: syncWave(SyncWave.guardrails) },
      spec: {
        hard: {
          pods: q(String(plan.quota.pods)),
          "requests.cpu": q(`${plan.quota.cpuMillis}m`),
          "limits.cpu": q(`${plan.quota.cpuMillis * 2}m`),
          "requests.memory": q(`${plan.quota.memoryMiB}Mi`),
          "limits.memory": q(`${plan.quota.memoryMiB}Mi`),
          "requests.storage": q(`${plan.quota.storageGiB}Gi`),
          "requests.ephemeral-storage": q(`${plan.quota.pods}Gi`),
          persistentvolumeclaims: q(String(plan.quota.pvcs)),
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
          { type: "PersistentVolumeClaim", max: { storage: q(`${plan.quota.storageGiB}Gi`) } },
        ],
      },
    })
  }
}
