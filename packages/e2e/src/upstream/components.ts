import { readFileSync } from "node:fs"
import { join } from "node:path"

/** The Go modules under `packages/e2e/go/<module>`: each pins one upstream release by its go.mod. */
export const GO_DIR = join(import.meta.dirname, "../../go")

/**
 * A go.mod may ask for a newer Go than the machine's (Argo CD does): Go then fetches that
 * toolchain from the module proxy, checksum-verified, instead of refusing (the machine's go.env
 * says `local`).
 */
export const GO_ENV = { GOTOOLCHAIN: "auto" } as const

export interface Binary {
  /** The file name in the cache (what the process is started as). */
  readonly name: string
  /** The main package built from the pinned module. */
  readonly pkg: string
  readonly ldflags?: (version: string) => ReadonlyArray<string>
}

export interface Component {
  /** Folder under `go/` holding the go.mod / go.sum. */
  readonly module: string
  /** The upstream module whose required version keys the cache. */
  readonly upstream: string
  readonly binaries: ReadonlyArray<Binary>
}

/** Without these the binaries report v0.0.0 and clients that parse the server version misbehave. */
const kubeVersion = (version: string): ReadonlyArray<string> => {
  const [major, minor] = version.replace(/^v/, "").split(".")
  const pkg = "k8s.io/component-base/version"
  return [`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`]
}

const kube = (name: string): Binary => ({ name, pkg: `k8s.io/kubernetes/cmd/${name}`, ldflags: kubeVersion })

/** Built in this order, one at a time: the cheapest first, so a failure shows early. */
export const Components = {
  etcd: {
    module: "etcd",
    upstream: "go.etcd.io/etcd/server/v3",
    binaries: [{ name: "etcd", pkg: "go.etcd.io/etcd/server/v3" }],
  },
  kwok: {
    module: "kwok",
    upstream: "sigs.k8s.io/kwok",
    binaries: [{ name: "kwok", pkg: "sigs.k8s.io/kwok/cmd/kwok" }],
  },
  kubernetes: {
    module: "kubernetes",
    upstream: "k8s.io/kubernetes",
    binaries: [kube("kube-apiserver"), kube("kube-controller-manager"), kube("kube-scheduler")],
  },
  // One multi-call binary: started as application-controller or repo-server by ARGOCD_BINARY_NAME.
  argocd: {
    module: "argocd",
    upstream: "github.com/argoproj/argo-cd/v3",
    binaries: [
      {
        name: "argocd",
        pkg: "github.com/argoproj/argo-cd/v3/cmd",
        ldflags: (version) => [`-X github.com/argoproj/argo-cd/v3/common.version=${version.replace(/^v/, "")}`],
      },
    ],
  },
} as const satisfies Record<string, Component>

export type ComponentName = keyof typeof Components

/** The version `go/<module>/go.mod` requires of the component's upstream module. */
export const pinnedVersion = (component: Component): string => {
  const goMod = readFileSync(join(GO_DIR, component.module, "go.mod"), "utf8")
  const escaped = component.upstream.replaceAll(".", "\\.")
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod)
  if (!match?.[1]) throw new Error(`go/${component.module}/go.mod does not require ${component.upstream}`)
  return match[1]
}
