import { ARGOCD_NAMESPACE, PART_OF_LABEL, type Platform, platformProject, rootApplication } from "@ppi/config"
import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { Manifests } from "../versions.ts"
import { labels, logical, type Opts } from "./common.ts"

/**
 * Argo CD reads its settings only from ConfigMaps and Secrets labelled part-of `argocd`: a patch
 * relabelling one (as our `part-of: parametric-portal` would) makes Argo CD lose it. The e2e found it.
 */
export const argoCdSettingsLabels = { ...labels("argocd"), [PART_OF_LABEL]: "argocd" }

export interface ArgoCdArgs {
  readonly stack: string
  /** The deploy repository, branch and signing keys the platform project and root Application use. */
  readonly platform: Platform
  /** A local copy of the install manifest (air-gapped clusters). @default the pinned upstream `Manifests.argoCd` */
  readonly manifest?: string | undefined
}

/**
 * Argo CD without Helm: the pinned upstream install manifest (or a local copy for air-gapped
 * clusters), hardened — annotation resource tracking, the `default` project emptied — then the
 * platform project and the root Application over the deploy branch. From here on, every merge
 * reaches the cluster through Argo CD.
 */
export class ArgoCd extends pulumi.ComponentResource {
  readonly root: k8s.apiextensions.CustomResource

  constructor(name: string, args: ArgoCdArgs, opts?: Opts) {
    super("ppi:gitops:ArgoCd", name, {}, opts)
    const install = this.install(args)
    this.configure(args, install)
    this.root = this.addRoot(args, install)
    this.registerOutputs({ root: this.root.metadata.name })
  }

  /** The namespace and the install manifest, applied into it. */
  private install(args: ArgoCdArgs): k8s.yaml.v2.ConfigFile {
    const namespace = new k8s.core.v1.Namespace(
      logical(args.stack, "argocd-namespace"),
      { metadata: { name: ARGOCD_NAMESPACE, labels: labels("argocd") } },
      { parent: this },
    )
    // The install manifest names no namespace (it is meant for `kubectl apply -n argocd`): without a
    // provider defaulting to Argo CD's namespace its objects would land in `default`.
    const inArgoCdNamespace = new k8s.Provider(
      logical(args.stack, "argocd-provider"),
      { namespace: ARGOCD_NAMESPACE },
      { parent: this },
    )
    return new k8s.yaml.v2.ConfigFile(
      logical(args.stack, "argocd"),
      { file: args.manifest ?? Manifests.argoCd, skipAwait: false },
      { parent: this, dependsOn: [namespace], provider: inArgoCdNamespace },
    )
  }

  /** Settings patched onto the installed ConfigMaps: tracking, no admin or exec, the bot's keys. */
  private configure(args: ArgoCdArgs, install: pulumi.Resource): void {
    new k8s.core.v1.ConfigMapPatch(
      logical(args.stack, "argocd-cm"),
      {
        metadata: { name: "argocd-cm", namespace: ARGOCD_NAMESPACE, labels: argoCdSettingsLabels },
        data: { "application.resourceTrackingMethod": "annotation", "admin.enabled": "false", "exec.enabled": "false" },
      },
      { parent: this, dependsOn: [install] },
    )
    // The publish bot's public keys: the repo-server verifies every deploy commit against them.
    const { signingKeys } = args.platform.deploy
    if (signingKeys.length > 0)
      new k8s.core.v1.ConfigMapPatch(
        logical(args.stack, "argocd-gpg-keys-cm"),
        {
          metadata: { name: "argocd-gpg-keys-cm", namespace: ARGOCD_NAMESPACE, labels: argoCdSettingsLabels },
          data: Object.fromEntries(signingKeys.map(({ keyID, publicKey }) => [keyID, publicKey])),
        },
        { parent: this, dependsOn: [install] },
      )
  }

  private project(
    args: ArgoCdArgs,
    install: pulumi.Resource,
    id: string,
    project: { metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> },
    extra: pulumi.CustomResourceOptions = {},
  ): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
      logical(args.stack, id),
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: { ...project.metadata, namespace: ARGOCD_NAMESPACE, labels: labels("argocd") },
        spec: project.spec,
      },
      { parent: this, dependsOn: [install], ...extra },
    )
  }

  /**
   * The emptied `default` project, the platform project and the root app-of-apps. The platform
   * project is this program's alone: the root Application never reads it from the deploy branch,
   * and the Argo CD admission policies refuse any other spec for it (`argocd-admission.ts`).
   */
  private addRoot(args: ArgoCdArgs, install: pulumi.Resource): k8s.apiextensions.CustomResource {
    // Nothing may deploy through the default project.
    this.project(args, install, "default-project", {
      metadata: { name: "default" },
      spec: { sourceRepos: [], destinations: [], clusterResourceWhitelist: [], namespaceResourceWhitelist: [] },
    })
    const platformProjectResource = this.project(args, install, "platform-project", platformProject(args.platform))
    const root = rootApplication(args.platform)
    return new k8s.apiextensions.CustomResource(
      logical(args.stack, "root-application"),
      {
        apiVersion: root.apiVersion,
        kind: root.kind,
        metadata: { ...root.metadata, labels: labels("argocd") },
        spec: root.spec,
      },
      { parent: this, dependsOn: [platformProjectResource] },
    )
  }
}
