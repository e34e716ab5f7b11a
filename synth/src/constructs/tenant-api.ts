import { createHash } from "node:crypto"
import { API_PORT, CREDENTIALS_SECRET, ENV_CONFIGMAP, imageRef, secretEnv, tenantEnv } from "@ppi/config"
import { ApiObject, Duration, JsonPatch, Size } from "cdk8s"
import * as kplus from "cdk8s-plus-28"
import { Construct } from "constructs"
import type { TenantContext } from "./tenant-context.ts"

const checksum = (data: Readonly<Record<string, string>>): string =>
  createHash("sha256")
    .update(JSON.stringify(Object.entries(data)))
    .digest("hex")

/** Non-root identity of the API container; matches the image's USER. */
const RUN_AS = 10001

/**
 * The tenant API: ServiceAccount without a token, ConfigMap from the env contract, the
 * hardened Deployment and its Service. Names and selectors are explicit and stable.
 */
export class TenantApi extends Construct {
  readonly deployment: kplus.Deployment
  readonly service: kplus.Service

  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id)
    const { tenant, platform, plan, namespace, labels, selector, apiImage: image } = context
    const meta = (name: string) => ({ name, namespace, labels: { ...labels } })

    const serviceAccount = new kplus.ServiceAccount(this, "service-account", {
      metadata: meta("api"),
      automountToken: false,
    })

    const env = tenantEnv(tenant, platform)
    const configMap = new kplus.ConfigMap(this, "env", { metadata: meta(ENV_CONFIGMAP), data: { ...env } })
    const credentials = kplus.Secret.fromSecretName(this, "credentials", CREDENTIALS_SECRET)

    const deployment = new kplus.Deployment(this, "deployment", {
      metadata: meta("api"),
      ...(plan.autoscale === undefined ? { replicas: plan.replicas } : {}),
      select: false,
      spread: false,
      podMetadata: {
        labels: { ...labels },
        // envFrom does not roll pods when the ConfigMap changes; a content hash on the template does.
        annotations: { "platform.parametric.dev/env-checksum": checksum(env) },
      },
      serviceAccount,
      automountServiceAccountToken: false,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      securityContext: {
        ensureNonRoot: true,
        user: RUN_AS,
        group: RUN_AS,
        fsGroup: RUN_AS,
      },
      volumes: [],
    })
    deployment.select(kplus.LabelSelector.of({ labels: { ...selector } }))

    const container = deployment.addContainer({
      name: "api",
      image: imageRef(image),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: "http", number: API_PORT, protocol: kplus.Protocol.TCP }],
      envFrom: [kplus.Env.fromConfigMap(configMap)],
      envVariables: Object.fromEntries(
        secretEnv(platform.mode).map((spec) => [
          spec.name,
          kplus.EnvValue.fromSecretValue({ secret: credentials, key: spec.name }, { optional: !spec.required }),
        ]),
      ),
      resources: {
        cpu: {
          request: kplus.Cpu.millis(tenant.resources.cpuMillis),
          limit: kplus.Cpu.millis(tenant.resources.cpuMillis * 2),
        },
        memory: {
          request: Size.mebibytes(tenant.resources.memoryMiB),
          limit: Size.mebibytes(tenant.resources.memoryMiB),
        },
      },
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

    this.service = new kplus.Service(this, "service", {
      metadata: meta("api"),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: "http", port: 80, targetPort: API_PORT, protocol: kplus.Protocol.TCP }],
    })
    for (const [key, value] of Object.entries(selector)) this.service.selectLabel(key, value)
    // cdk8s-plus labels pods with their construct address: a path-derived hash has no place in a
    // stable manifest, and nothing selects on it.
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.remove("/spec/template/metadata/labels/cdk8s.io~1metadata.addr"),
      JsonPatch.add("/spec/revisionHistoryLimit", 5),
    )
    if (plan.topologySpread)
      ApiObject.of(deployment).addJsonPatch(
        JsonPatch.add(
          "/spec/template/spec/topologySpreadConstraints",
          [
            { topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
            { topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
          ].map((constraint) => ({ ...constraint, maxSkew: 1, labelSelector: { matchLabels: { ...selector } } })),
        ),
      )
    this.deployment = deployment
  }
}
