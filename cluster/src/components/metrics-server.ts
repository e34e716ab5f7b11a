import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { Manifests } from "../versions.ts"
import { logical, type Opts } from "./common.ts"

/**
 * metrics-server from its pinned release manifest: the resource metrics API every tenant's
 * HorizontalPodAutoscaler reads (without it each HPA reports no metrics and Argo CD shows it
 * Degraded). k3s ships its own, so a stack on k3s leaves this out (`ppi:metricsServer`).
 */
export class MetricsServer extends pulumi.ComponentResource {
  constructor(name: string, args: { readonly stack: string }, opts?: Opts) {
    super("ppi:observability:MetricsServer", name, {}, opts)
    new k8s.yaml.v2.ConfigFile(
      logical(args.stack, "metrics-server"),
      { file: Manifests.metricsServer },
      { parent: this },
    )
    this.registerOutputs({})
  }
}
