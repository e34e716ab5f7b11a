import { CREDENTIALS_SECRET, secretEnv } from "@ppi/config"
import { ApiObject } from "cdk8s"
import { KubeRole, KubeRoleBinding, KubeServiceAccount } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "../sync-wave.ts"
import type { TenantContext } from "../tenant-context.ts"
import {
  CREDENTIALS_READER,
  GeneratedKeys,
  generatedSecretOf,
  PLATFORM_SECRET_STORE,
  passwordGeneratorOf,
} from "./credential-names.ts"

const ESO = "external-secrets.io/v1"

/**
 * A tenant's credentials, with no value ever in git:
 * 1. in the platform namespace, a `Password` generator feeds an ExternalSecret with
 *    `refreshPolicy: CreatedOnce`: the passwords are generated in-cluster once and never rotated
 *    under a running tenant; the provisioning Job reads them there, next to the admin credentials;
 * 2. the tenant namespace gets a SecretStore whose ServiceAccount may `get` exactly two Secrets of
 *    the platform namespace (RBAC `resourceNames`): its own generated one and the operator-provided
 *    one — never the admin credentials, never another tenant's;
 * 3. an ExternalSecret materializes `api-credentials`, the Secret the Deployment references.
 */
export class TenantCredentials extends Construct {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id)
    const { tenant, platform, namespace, labels } = context
    const platformNs = platform.platformNamespace
    const generated = generatedSecretOf(tenant.name)
    const meta = (name: string, ns: string, wave: number) => ({
      name,
      namespace: ns,
      labels: { ...labels },
      annotations: syncWave(wave),
    })

    new ApiObject(this, "password-generator", {
      apiVersion: "generators.external-secrets.io/v1alpha1",
      kind: "Password",
      metadata: meta(passwordGeneratorOf(tenant.name), platformNs, SyncWave.generatedCredentials),
      spec: { length: 40, digits: 8, symbols: 0, noUpper: false, allowRepeat: true },
    })
    new ApiObject(this, "generated", {
      apiVersion: ESO,
      kind: "ExternalSecret",
      metadata: meta(generated, platformNs, SyncWave.generatedCredentials),
      spec: {
        refreshPolicy: "CreatedOnce",
        target: { name: generated, creationPolicy: "Owner", deletionPolicy: "Retain" },
        dataFrom: GeneratedKeys.map((key) => ({
          sourceRef: {
            generatorRef: {
              apiVersion: "generators.external-secrets.io/v1alpha1",
              kind: "Password",
              name: passwordGeneratorOf(tenant.name),
            },
          },
          rewrite: [{ regexp: { source: "^password$", target: key } }],
        })),
      },
    })

    new KubeRole(this, "reader-role", {
      metadata: meta(`read-${generated}`, platformNs, SyncWave.credentialsAccess),
      rules: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          verbs: ["get"],
          resourceNames: [generated, platform.operatorSecret],
        },
      ],
    })
    new KubeRoleBinding(this, "reader-binding", {
      metadata: meta(`read-${generated}`, platformNs, SyncWave.credentialsAccess),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `read-${generated}` },
      subjects: [{ kind: "ServiceAccount", name: CREDENTIALS_READER, namespace }],
    })
    new KubeServiceAccount(this, "reader", {
      metadata: meta(CREDENTIALS_READER, namespace, SyncWave.credentialsAccess),
      automountServiceAccountToken: false,
    })
    new ApiObject(this, "store", {
      apiVersion: ESO,
      kind: "SecretStore",
      metadata: meta(PLATFORM_SECRET_STORE, namespace, SyncWave.credentialsAccess),
      spec: {
        provider: {
          kubernetes: {
            remoteNamespace: platformNs,
            server: {
              url: "https://kubernetes.default.svc",
              caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" },
            },
            auth: { serviceAccount: { name: CREDENTIALS_READER } },
          },
        },
      },
    })

    const generatedKeys: ReadonlyArray<string> = GeneratedKeys
    const required = secretEnv(platform.mode).filter((spec) => spec.required)
    new ApiObject(this, "api-credentials", {
      apiVersion: ESO,
      kind: "ExternalSecret",
      metadata: meta(CREDENTIALS_SECRET, namespace, SyncWave.tenantCredentials),
      spec: {
        refreshInterval: "1h",
        secretStoreRef: { kind: "SecretStore", name: PLATFORM_SECRET_STORE },
        target: { name: CREDENTIALS_SECRET, creationPolicy: "Owner", deletionPolicy: "Retain" },
        data: required.map((spec) => ({
          secretKey: spec.name,
          remoteRef: {
            key: generatedKeys.includes(spec.name) ? generated : platform.operatorSecret,
            property: spec.name,
          },
        })),
      },
    })
  }
}
