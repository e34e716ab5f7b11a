/**
 * Argo CD applies a tenant's platform component in waves: namespace, then guardrails, then
 * credentials, then provisioning; the workload (its own Application) comes after all of them.
 */
export const SyncWave = {
  namespace: -10,
  guardrails: -9,
  generatedCredentials: -8,
  credentialsAccess: -7,
  tenantCredentials: -6,
  provisioning: -5,
} as const

export const syncWave = (wave: number): Record<string, string> => ({ "argocd.argoproj.io/sync-wave": String(wave) })
