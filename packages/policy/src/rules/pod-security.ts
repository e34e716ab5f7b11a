import { field, isRecord, list, type ObjectRule } from "../kube-object.ts"
import { containersOf, onPods, podMetadataOf } from "../pod-spec.ts"

/**
 * Pod Security Standards, field by field (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * every `baseline` control, then every `restricted` one. Each is its own rule so a report names
 * the exact control.
 */
type Pod = Readonly<Record<string, unknown>>

const perContainer = (pod: Pod, check: (container: Pod, name: string) => string | undefined): ReadonlyArray<string> =>
  containersOf(pod).flatMap(({ container, name }) => {
    const problem = check(container, name)
    return problem === undefined ? [] : [`container ${name}: ${problem}`]
  })

/** A security setting of a container, falling back to the pod's. */
const effective = (pod: Pod, container: Pod, key: string): unknown =>
  field(container, "securityContext", key) ?? field(pod, "securityContext", key)

const rule = (id: string, description: string, check: (pod: Pod) => ReadonlyArray<string>): ObjectRule => ({
  id,
  description,
  check: onPods(check),
})

const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
])
const RESTRICTED_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
])

export const hostProcess = rule("pss-baseline/host-process", "Windows HostProcess pods are not allowed", (pod) => [
  ...(field(pod, "securityContext", "windowsOptions", "hostProcess") === true
    ? ["pod: windowsOptions.hostProcess is true"]
    : []),
  ...perContainer(pod, (c) =>
    field(c, "securityContext", "windowsOptions", "hostProcess") === true
      ? "windowsOptions.hostProcess is true"
      : undefined,
  ),
])

const hostNamespaces = rule("pss-baseline/host-namespaces", "No host network, PID or IPC namespace", (pod) =>
  (["hostNetwork", "hostPID", "hostIPC"] as const).filter((key) => pod[key] === true).map((key) => `${key} is true`),
)

export const privileged = rule("pss-baseline/privileged", "No privileged containers", (pod) =>
  perContainer(pod, (c) => (field(c, "securityContext", "privileged") === true ? "privileged is true" : undefined)),
)

export const hostPath = rule("pss-baseline/host-path", "No hostPath volumes", (pod) =>
  list(pod.volumes)
    .filter(isRecord)
    .filter((volume) => volume.hostPath !== undefined)
    .map((volume) => `volume ${String(volume.name)} is a hostPath`),
)

const hostPorts = rule("pss-baseline/host-ports", "No host ports", (pod) =>
  perContainer(pod, (c) => {
    const ports = list(c.ports)
      .filter(isRecord)
      .filter((port) => port.hostPort !== undefined && port.hostPort !== 0)
    return ports.length > 0 ? `hostPort ${ports.map((port) => String(port.hostPort)).join(", ")}` : undefined
  }),
)

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
const appArmorFieldProblem = (profile: unknown): string | undefined => {
  const type = field(profile, "type")
  return type === undefined || type === "RuntimeDefault" || type === "Localhost"
    ? undefined
    : `appArmorProfile is ${String(type)}`
}

/** Both ways to set a profile: the `appArmorProfile` fields (1.30+) and the older annotations, which still apply. */
const appArmor: ObjectRule = {
  id: "pss-baseline/apparmor",
  description: "AppArmor is RuntimeDefault or Localhost, by field or by annotation",
  check: onPods((pod, object) => {
    const podProblem = appArmorFieldProblem(field(pod, "securityContext", "appArmorProfile"))
    const annotations = podMetadataOf(object).annotations
    return [
      ...(podProblem ? [`pod: ${podProblem}`] : []),
      ...perContainer(pod, (c) => appArmorFieldProblem(field(c, "securityContext", "appArmorProfile"))),
      ...Object.entries(isRecord(annotations) ? annotations : {})
        .filter(([key]) => key.startsWith(APPARMOR_ANNOTATION))
        .filter(([, value]) => value !== "runtime/default" && !String(value).startsWith("localhost/"))
        .map(([key, value]) => `annotation ${key} is ${String(value)}`),
    ]
  }),
}

const HANDLERS = ["livenessProbe", "readinessProbe", "startupProbe"] as const
const hostOf = (handler: unknown): unknown => field(handler, "httpGet", "host") ?? field(handler, "tcpSocket", "host")

/** Baseline since v1.34: probes and lifecycle hooks may not name a host (the kubelet would reach it from the node). */
const hostProbes = rule("pss-baseline/host-probes", "Probes and lifecycle handlers set no host", (pod) =>
  perContainer(pod, (c) => {
    const handlers = [
      ...HANDLERS.map((probe) => [probe, c[probe]] as const),
      ["postStart", field(c, "lifecycle", "postStart")] as const,
      ["preStop", field(c, "lifecycle", "preStop")] as const,
    ]
    const bad = handlers.filter(([, handler]) => (hostOf(handler) ?? "") !== "")
    return bad.length === 0
      ? undefined
      : bad.map(([where, handler]) => `${where} targets host ${String(hostOf(handler))}`).join(", ")
  }),
)

const ALLOWED_SELINUX_TYPES = new Set([
  undefined,
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
])
const seLinuxProblem = (options: unknown): string | undefined => {
  if (!isRecord(options)) return undefined
  if (!ALLOWED_SELINUX_TYPES.has(options.type as string | undefined))
    return `seLinuxOptions.type ${String(options.type)}`
  if (options.user !== undefined || options.role !== undefined) return "seLinuxOptions sets a user or role"
  return undefined
}
const seLinux = rule("pss-baseline/selinux", "SELinux: only container types, no custom user or role", (pod) => {
  const podProblem = seLinuxProblem(field(pod, "securityContext", "seLinuxOptions"))
  return [
    ...(podProblem ? [`pod: ${podProblem}`] : []),
    ...perContainer(pod, (c) => seLinuxProblem(field(c, "securityContext", "seLinuxOptions"))),
  ]
})

export const procMount = rule("pss-baseline/proc-mount", "/proc mount must be Default", (pod) =>
  perContainer(pod, (c) => {
    const mount = field(c, "securityContext", "procMount")
    return mount === undefined || mount === "Default" ? undefined : `procMount is ${String(mount)}`
  }),
)

const seccompNotUnconfined = rule("pss-baseline/seccomp", "Seccomp may not be Unconfined", (pod) => [
  ...(field(pod, "securityContext", "seccompProfile", "type") === "Unconfined"
    ? ["pod: seccompProfile is Unconfined"]
    : []),
  ...perContainer(pod, (c) =>
    field(c, "securityContext", "seccompProfile", "type") === "Unconfined" ? "seccompProfile is Unconfined" : undefined,
  ),
])

export const sysctls = rule("pss-baseline/sysctls", "Only the safe sysctls", (pod) =>
  list(field(pod, "securityContext", "sysctls"))
    .filter(isRecord)
    .filter((sysctl) => !SAFE_SYSCTLS.has(String(sysctl.name)))
    .map((sysctl) => `sysctl ${String(sysctl.name)} is not in the safe set`),
)

const volumeTypes = rule(
  "pss-restricted/volume-types",
  "Only configMap, csi, downwardAPI, emptyDir, ephemeral, PVC, projected and secret volumes",
  (pod) =>
    list(pod.volumes)
      .filter(isRecord)
      .flatMap((volume) =>
        Object.keys(volume)
          .filter((key) => key !== "name" && !RESTRICTED_VOLUMES.has(key))
          .map((key) => `volume ${String(volume.name)} has type ${key}`),
      ),
)

const privilegeEscalation = rule(
  "pss-restricted/privilege-escalation",
  "allowPrivilegeEscalation must be false",
  (pod) =>
    perContainer(pod, (c) =>
      field(c, "securityContext", "allowPrivilegeEscalation") === false
        ? undefined
        : "allowPrivilegeEscalation is not false",
    ),
)

export const runAsNonRoot = rule("pss-restricted/run-as-non-root", "runAsNonRoot must be true", (pod) =>
  perContainer(pod, (c) => (effective(pod, c, "runAsNonRoot") === true ? undefined : "runAsNonRoot is not true")),
)

export const runAsUser = rule("pss-restricted/run-as-user", "runAsUser must not be 0", (pod) => [
  ...(field(pod, "securityContext", "runAsUser") === 0 ? ["pod: runAsUser is 0"] : []),
  ...perContainer(pod, (c) => (field(c, "securityContext", "runAsUser") === 0 ? "runAsUser is 0" : undefined)),
])

const seccompRestricted = rule("pss-restricted/seccomp", "Seccomp must be RuntimeDefault or Localhost", (pod) =>
  perContainer(pod, (c) => {
    const type =
      field(c, "securityContext", "seccompProfile", "type") ?? field(pod, "securityContext", "seccompProfile", "type")
    return type === "RuntimeDefault" || type === "Localhost"
      ? undefined
      : `seccompProfile is ${type === undefined ? "not set" : String(type)}`
  }),
)

export const capabilities = rule(
  "pss-restricted/capabilities",
  "Drop ALL capabilities, add only NET_BIND_SERVICE",
  (pod) =>
    perContainer(pod, (c) => {
      const drop = list(field(c, "securityContext", "capabilities", "drop"))
      const add = list(field(c, "securityContext", "capabilities", "add")).filter((cap) => cap !== "NET_BIND_SERVICE")
      if (!drop.includes("ALL")) return "capabilities do not drop ALL"
      return add.length > 0 ? `adds capabilities ${add.join(", ")}` : undefined
    }),
)

export const podSecurityRules: ReadonlyArray<ObjectRule> = [
  hostProcess,
  hostNamespaces,
  privileged,
  hostPath,
  hostPorts,
  appArmor,
  hostProbes,
  seLinux,
  procMount,
  seccompNotUnconfined,
  sysctls,
  volumeTypes,
  privilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccompRestricted,
  capabilities,
]
