/**
 * Every upstream release the bootstrap installs, pinned in one place. Manifests come from the
 * projects' versioned release URLs (or a local copy for air-gapped clusters); images are pinned
 * by tag here and should be pinned by digest by the release process (no registry is reachable
 * from where this file was written).
 */
export const Versions = {
  certManager: "v1.16.2",
  longhorn: "v1.7.2",
  argoCd: "v3.6.1",
  externalSecrets: "v1.3.2",
  metricsServer: "v0.7.2",
} as const

export const Images = {
  traefik: "traefik:v3.2.3",
  externalSecrets: `ghcr.io/external-secrets/external-secrets:${Versions.externalSecrets}`,
  externalDns: "registry.k8s.io/external-dns/external-dns:v0.15.1",
  postgres: "postgres:17.6-alpine3.22",
  redis: "redis:8.6.0-alpine",
  garage: "dxflrs/garage:v2.2.0",
} as const

export const Manifests = {
  certManager: `https://github.com/cert-manager/cert-manager/releases/download/${Versions.certManager}/cert-manager.yaml`,
  longhorn: `https://raw.githubusercontent.com/longhorn/longhorn/${Versions.longhorn}/deploy/longhorn.yaml`,
  argoCd: `https://raw.githubusercontent.com/argoproj/argo-cd/${Versions.argoCd}/manifests/install.yaml`,
  metricsServer: `https://github.com/kubernetes-sigs/metrics-server/releases/download/${Versions.metricsServer}/components.yaml`,
  externalSecretsCrds: `https://raw.githubusercontent.com/external-secrets/external-secrets/${Versions.externalSecrets}/deploy/crds/bundle.yaml`,
} as const
