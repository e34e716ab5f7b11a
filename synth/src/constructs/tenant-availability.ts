import * as kplus from "cdk8s-plus-28"
import { IntOrString, KubePodDisruptionBudget } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import type { TierPlan } from "../factory/tier-plan.ts"
import type { TenantObjectProps } from "./tenant-context.ts"

export interface TenantAvailabilityProps extends TenantObjectProps {
  /** The API Deployment the HPA scales. */
  readonly deployment: kplus.Deployment
  /** The API pods the PDB protects. */
  readonly selector: Readonly<Record<string, string>>
  /** HPA bounds. @default no HPA */
  readonly autoscale?: TierPlan["autoscale"]
  /** PDB `minAvailable`. @default no PDB */
  readonly minAvailable?: number | undefined
}

/** HPA on CPU and a PodDisruptionBudget, for the tiers whose plan asks for them. */
export class TenantAvailability extends Construct {
  constructor(scope: Construct, id: string, props: TenantAvailabilityProps) {
    super(scope, id)
    const { autoscale, minAvailable, namespace, labels, selector } = props
    if (autoscale !== undefined)
      new kplus.HorizontalPodAutoscaler(this, "hpa", {
        metadata: { name: "api", namespace, labels: { ...labels } },
        target: props.deployment,
        minReplicas: autoscale.min,
        maxReplicas: autoscale.max,
        metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(autoscale.cpuUtilization))],
      })
    if (minAvailable !== undefined)
      new KubePodDisruptionBudget(this, "pdb", {
        metadata: { name: "api", namespace, labels: { ...labels } },
        spec: { minAvailable: IntOrString.fromNumber(minAvailable), selector: { matchLabels: { ...selector } } },
      })
  }
}
