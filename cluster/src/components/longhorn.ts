import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { Manifests } from "../versions.ts"
import { labels, logical, type Opts } from "./common.ts"

/** Longhorn from its pinned release manifest, and the `longhorn` StorageClass tenants and data services use. */
export class Longhorn extends pulumi.ComponentResource {
  readonly storageClass: k8s.storage.v1.StorageClass

  constructor(name: string, args: { readonly stack: string }, opts?: Opts) {
    super("ppi:storage:Longhorn", name, {}, opts)
    const install = new k8s.yaml.v2.ConfigFile(
      logical(args.stack, "longhorn"),
      { file: Manifests.longhorn },
      { parent: this },
    )
    this.storageClass = new k8s.storage.v1.StorageClass(
      logical(args.stack, "longhorn-storage-class"),
      {
        metadata: { name: "longhorn", labels: labels("longhorn") },
        provisioner: "driver.longhorn.io",
        allowVolumeExpansion: true,
        reclaimPolicy: "Retain",
        volumeBindingMode: "WaitForFirstConsumer",
        parameters: { numberOfReplicas: "3", staleReplicaTimeout: "30", fsType: "ext4" },
      },
      { parent: this, dependsOn: [install] },
    )
    this.registerOutputs({ storageClass: this.storageClass.metadata.name })
  }
}
