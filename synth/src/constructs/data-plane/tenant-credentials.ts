import {
  CREDENTIALS_READER,
  CREDENTIALS_SECRET,
  credentialsReaderRoleOf,
  type EnvVarSpec,
  GeneratedKeys,
  generatedSecretOf,
  IN_CLUSTER,
  PLATFORM_SECRET_STORE,
  passwordGeneratorOf,
} from "@ppi/config"
import { ApiObject } from "cdk8s"
import { KubeRole, KubeRoleBinding, KubeServiceAccount } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "../sync-wave.ts"
import type { TenantObjectProps } from "../tenant-context.ts"

const ESO = "external-secrets.io/v1"
const GENERATORS = "generators.external-secrets.io/v1alpha1"

export interface TenantCredentialsProps extends TenantObjectProps {
  /** The tenant's name: its generated Secret and password generator are named after it. */
  readonly tenant: string
  /** Where the generated passwords and the operator-provided Secret live (`Platform.platformNamespace`). */
  readonly platformNamespace: string
  /** The operator-provided Secret in the platform namespace (`Platform.operatorSecret`). */
  readonly operatorSecret: string
  /** The secret env vars `api-credentials` must hold: the required ones of the platform's mode. */
  readonly secrets: ReadonlyArray<EnvVarSpec>
}

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
  private readonly props: TenantCredentialsProps
  private readonly generated: string

  constructor(scope: Construct, id: string, props: TenantCredentialsProps) {
    super(scope, id)
    this.props = props
    this.generated = generatedSecretOf(props.tenant)
    this.addGeneratedPasswords()
    this.addPlatformAccess()
    this.addApiCredentials()
  }

  private meta(name: string, namespace: string, wave: number) {
    return { name, namespace, labels: { ...this.props.labels }, annotations: syncWave(wave) }
  }

  /** 1: the generator and the ExternalSecret that runs it once, in the platform namespace. */
  private addGeneratedPasswords(): void {
    const { tenant, platformNamespace } = this.props
    new ApiObject(this, "password-generator", {
      apiVersion: GENERATORS,
      kind: "Password",
      metadata: this.meta(passwordGeneratorOf(tenant), platformNamespace, SyncWave.generatedCredentials),
      spec: { length: 40, digits: 8, symbols: 0, noUpper: false, allowRepeat: true },
    })
    new ApiObject(this, "generated", {
      apiVersion: ESO,
      kind: "ExternalSecret",
      metadata: this.meta(this.generated, platformNamespace, SyncWave.generatedCredentials),
      spec: {
        refreshPolicy: "CreatedOnce",
        target: { name: this.generated, creationPolicy: "Owner", deletionPolicy: "Retain" },
        dataFrom: GeneratedKeys.map((key) => ({
          sourceRef: { generatorRef: { apiVersion: GENERATORS, kind: "Password", name: passwordGeneratorOf(tenant) } },
          rewrite: [{ regexp: { source: "^password$", target: key } }],
        })),
      },
    })
  }

  /** 2: the reader's RBAC on exactly two Secrets of the platform namespace, and the tenant's SecretStore. */
  private addPlatformAccess(): void {
    const { namespace, platformNamespace, operatorSecret } = this.props
    const reader = credentialsReaderRoleOf(this.props.tenant)
    new KubeRole(this, "reader-role", {
      metadata: this.meta(reader, platformNamespace, SyncWave.credentialsAccess),
      rules: [
        { apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: [this.generated, operatorSecret] },
      ],
    })
    new KubeRoleBinding(this, "reader-binding", {
      metadata: this.meta(reader, platformNamespace, SyncWave.credentialsAccess),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: reader },
      subjects: [{ kind: "ServiceAccount", name: CREDENTIALS_READER, namespace }],
    })
    new KubeServiceAccount(this, "reader", {
      metadata: this.meta(CREDENTIALS_READER, namespace, SyncWave.credentialsAccess),
      automountServiceAccountToken: false,
    })
    new ApiObject(this, "store", {
      apiVersion: ESO,
      kind: "SecretStore",
      metadata: this.meta(PLATFORM_SECRET_STORE, namespace, SyncWave.credentialsAccess),
      spec: {
        provider: {
          kubernetes: {
            remoteNamespace: platformNamespace,
            server: { url: IN_CLUSTER, caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } },
            auth: { serviceAccount: { name: CREDENTIALS_READER } },
          },
        },
      },
    })
  }

  /** 3: `api-credentials` in the tenant namespace, each key from the generated or the operator's Secret. */
  private addApiCredentials(): void {
    const { namespace, operatorSecret, secrets } = this.props
    const generatedKeys: ReadonlyArray<string> = GeneratedKeys
    new ApiObject(this, "api-credentials", {
      apiVersion: ESO,
      kind: "ExternalSecret",
      metadata: this.meta(CREDENTIALS_SECRET, namespace, SyncWave.tenantCredentials),
      spec: {
        refreshInterval: "1h",
        secretStoreRef: { kind: "SecretStore", name: PLATFORM_SECRET_STORE },
        target: { name: CREDENTIALS_SECRET, creationPolicy: "Owner", deletionPolicy: "Retain" },
        data: secrets.map((spec) => ({
          secretKey: spec.name,
          remoteRef: { key: generatedKeys.includes(spec.name) ? this.generated : operatorSecret, property: spec.name },
        })),
      },
    })
  }
}
