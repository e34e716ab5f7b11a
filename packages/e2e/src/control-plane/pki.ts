import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/** Paths of the PEM files one control plane uses; generated fresh per run, deleted with it. */
export interface Pki {
  readonly ca: string
  readonly caKey: string
  readonly apiserver: { readonly cert: string; readonly key: string }
  readonly admin: { readonly cert: string; readonly key: string }
  readonly controllerManager: { readonly cert: string; readonly key: string }
  readonly scheduler: { readonly cert: string; readonly key: string }
  /** The service-account token signing key pair. */
  readonly serviceAccount: { readonly key: string; readonly pub: string }
}

const openssl = (cwd: string, ...args: ReadonlyArray<string>) => execFileSync("openssl", args, { cwd, stdio: "pipe" })

/** One leaf certificate signed by the CA: subject, extended key usage, optional SANs. */
const leaf = (dir: string, name: string, subject: string, usage: string, sans: ReadonlyArray<string> = []) => {
  const ext = join(dir, `${name}.ext`)
  writeFileSync(
    ext,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${usage}`,
      ...(sans.length > 0 ? [`subjectAltName=${sans.join(",")}`] : []),
    ].join("\n"),
  )
  openssl(
    dir,
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  )
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    ext,
    "-out",
    `${name}.crt`,
  )
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }
}

/**
 * A throwaway CA, the API server's serving certificate (loopback and the in-cluster service
 * names), client certificates for the admin (system:masters), the controller manager and the
 * scheduler (their built-in RBAC identities), and the service-account signing key. openssl is
 * Debian's.
 */
export const generatePki = (dir: string, serviceIp: string): Pki => {
  mkdirSync(dir, { recursive: true })
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=ppi-e2e-ca",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  )
  const apiserver = leaf(dir, "apiserver", "/CN=kube-apiserver", "serverAuth", [
    "IP:127.0.0.1",
    `IP:${serviceIp}`,
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
  ])
  const admin = leaf(dir, "admin", "/O=system:masters/CN=ppi-e2e-admin", "clientAuth")
  const controllerManager = leaf(dir, "controller-manager", "/CN=system:kube-controller-manager", "clientAuth")
  const scheduler = leaf(dir, "scheduler", "/CN=system:kube-scheduler", "clientAuth")
  openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key")
  openssl(dir, "pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub")
  return {
    ca: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    apiserver,
    admin,
    controllerManager,
    scheduler,
    serviceAccount: { key: join(dir, "sa.key"), pub: join(dir, "sa.pub") },
  }
}

/** A kubeconfig for one identity, for the upstream components (our own client reads the PEMs). */
export const writeKubeconfig = (
  path: string,
  server: string,
  ca: string,
  identity: { readonly cert: string; readonly key: string },
): string => {
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "e2e", cluster: { server, "certificate-authority": ca } }],
      users: [{ name: "e2e", user: { "client-certificate": identity.cert, "client-key": identity.key } }],
      contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e" } }],
      "current-context": "e2e",
    }),
  )
  return path
}
