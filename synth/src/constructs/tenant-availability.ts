import * as kplus from "cdk8s-plus-28"
import { IntOrString, KubePodDisruptionBudget } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import type { TenantContext } from "./tenant-context.ts"

/** HPA on CPU and a PodDisruptionBudget, for the tiers whose plan asks for them. */
export class TenantAvailability extends Construct {
  constructor(scope: Construct, id: string, context: TenantContext, deployment: kplus.Deployment) {
    super(scope, id)
    const { plan, namespace, labels, selector } = context
    if (plan.autoscale !== undefined)
      new kplus.HorizontalPodAutoscaler(this, "hpa", {
        metadata: { name: "api", namespace, labels: { ...labels } },
        target: deployment,
        minReplicas: plan.autoscale.min,
        maxReplicas: plan.autoscale.max,
        metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(plan.autoscale.cpuUtilization))],
      })
    if (plan.minAvailable !== undefined)
      new KubePodDisruptionBudget(this, "pdb", {
        metadata: { name: "api", namespace, labels: { ...labels } },
        spec: { minAvailable: IntOrString.fromNumber(plan.minAvailable), selector: { matchLabels: { ...selector } } },
      })
  }
}
