import { createHash } from "node:crypto"
import { API_PORT, CREDENTIALS_SECRET, ENV_CONFIGMAP, type EnvVarSpec, imageRef } from "@ppi/config"
import { ApiObject, Duration, JsonPatch, Size } from "cdk8s"
import * as kplus from "cdk8s-plus-28"
import { Construct } from "constructs"
import type { TenantObjectProps } from "./tenant-context.ts"

const checksum = (data: Readonly<Record<string, string>>): string =>
  createHash("sha256")
    .update(JSON.stringify(Object.entries(data)))
    .digest("hex")

/** Non-root identity of the API container; matches the image's USER. */
const RUN_AS = 10001

export interface TenantApiProps extends TenantObjectProps {
  /** The API pods' selector, on the Deployment, its pods and the Service. */
  readonly selector: Readonly<Record<string, string>>
  /** The image to run, tag and digest already chosen. */
  readonly image: { readonly repository: string; readonly tag: string; readonly digest?: string }
  /** Fixed replicas. @default none: the HPA sets the count */
  readonly replicas?: number | undefined
  /** The non-secret env, written to the `ENV_CONFIGMAP` ConfigMap. */
  readonly env: Readonly<Record<string, string>>
  /** The secret env vars, read from `CREDENTIALS_SECRET` (optional unless `required`). */
  readonly secrets: ReadonlyArray<EnvVarSpec>
  /** CPU request (the limit is twice it) and memory request (= limit) of the container. */
  readonly resources: { readonly cpuMillis: number; readonly memoryMiB: number }
  /** Spread pods across nodes (strictly) and zones (best effort). @default false */
  readonly topologySpread?: boolean
}

/**
 * The tenant API: ServiceAccount without a token, ConfigMap from the env contract, the
 * hardened Deployment and its Service. Names and selectors are explicit and stable.
 */
export class TenantApi extends Construct {
  readonly deployment: kplus.Deployment
  readonly service: kplus.Service

  constructor(scope: Construct, id: string, props: TenantApiProps) {
    super(scope, id)
    const serviceAccount = new kplus.ServiceAccount(this, "service-account", {
      metadata: this.meta(props, "api"),
      automountToken: false,
    })
    const configMap = new kplus.ConfigMap(this, "env", {
      metadata: this.meta(props, ENV_CONFIGMAP),
      data: { ...props.env },
    })
    this.deployment = this.addDeployment(props, serviceAccount)
    this.addContainer(props, configMap)
    this.service = new kplus.Service(this, "service", {
      metadata: this.meta(props, "api"),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: "http", port: 80, targetPort: API_PORT, protocol: kplus.Protocol.TCP }],
    })
    for (const [key, value] of Object.entries(props.selector)) this.service.selectLabel(key, value)
    this.patchDeployment(props)
  }

  private meta({ namespace, labels }: TenantApiProps, name: string) {
    return { name, namespace, labels: { ...labels } }
  }

  private addDeployment(props: TenantApiProps, serviceAccount: kplus.ServiceAccount): kplus.Deployment {
    const deployment = new kplus.Deployment(this, "deployment", {
      metadata: this.meta(props, "api"),
      ...(props.replicas === undefined ? {} : { replicas: props.replicas }),
      select: false,
      spread: false,
      podMetadata: {
        labels: { ...props.labels },
        // envFrom does not roll pods when the ConfigMap changes; a content hash on the template does.
        annotations: { "platform.parametric.dev/env-checksum": checksum(props.env) },
      },
      serviceAccount,
      automountServiceAccountToken: false,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      securityContext: { ensureNonRoot: true, user: RUN_AS, group: RUN_AS, fsGroup: RUN_AS },
      volumes: [],
    })
    deployment.select(kplus.LabelSelector.of({ labels: { ...props.selector } }))
    return deployment
  }

  private addContainer({ image, secrets, resources }: TenantApiProps, configMap: kplus.ConfigMap): void {
    const credentials = kplus.Secret.fromSecretName(this, "credentials", CREDENTIALS_SECRET)
    const container = this.deployment.addContainer({
      name: "api",
      image: imageRef(image),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: "http", number: API_PORT, protocol: kplus.Protocol.TCP }],
      envFrom: [kplus.Env.fromConfigMap(configMap)],
      envVariables: Object.fromEntries(
        secrets.map((spec) => [
          spec.name,
          kplus.EnvValue.fromSecretValue({ secret: credentials, key: spec.name }, { optional: !spec.required }),
        ]),
      ),
      resources: {
        cpu: { request: kplus.Cpu.millis(resources.cpuMillis), limit: kplus.Cpu.millis(resources.cpuMillis * 2) },
        memory: { request: Size.mebibytes(resources.memoryMiB), limit: Size.mebibytes(resources.memoryMiB) },
      },
      // The restricted profile (`RESTRICTED_CONTAINER` in @ppi/config) in cdk8s-plus' terms.
      securityContext: {
        ensureNonRoot: true,
        user: RUN_AS,
        group: RUN_AS,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      readiness: kplus.Probe.fromHttpGet("/readyz", {
        port: API_PORT,
        periodSeconds: Duration.seconds(5),
        failureThreshold: 3,
      }),
      liveness: kplus.Probe.fromHttpGet("/healthz", {
        port: API_PORT,
        initialDelaySeconds: Duration.seconds(10),
        periodSeconds: Duration.seconds(10),
        failureThreshold: 3,
      }),
    })
    // The root filesystem is read-only: give the process a small writable /tmp.
    container.mount("/tmp", kplus.Volume.fromEmptyDir(this, "tmp", "tmp", { sizeLimit: Size.mebibytes(64) }))
  }

  /** What cdk8s-plus has no prop for: no path-derived pod label, a short history, the spread. */
  private patchDeployment({ selector, topologySpread }: TenantApiProps): void {
    // cdk8s-plus labels pods with their construct address: a path-derived hash has no place in a
    // stable manifest, and nothing selects on it.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.remove("/spec/template/metadata/labels/cdk8s.io~1metadata.addr"),
      JsonPatch.add("/spec/revisionHistoryLimit", 5),
    )
    if (topologySpread)
      ApiObject.of(this.deployment).addJsonPatch(
        JsonPatch.add(
          "/spec/template/spec/topologySpreadConstraints",
          [
            { topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
            { topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
          ].map((constraint) => ({ ...constraint, maxSkew: 1, labelSelector: { matchLabels: { ...selector } } })),
        ),
      )
  }
}
