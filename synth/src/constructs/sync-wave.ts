/**
 * Argo CD applies a tenant's platform component in waves: namespace, then guardrails, then
 * credentials, then provisioning. In the root app-of-apps, the tenant's AppProject (with the
 * namespace's wave) comes before its platform Application, which comes before its workload's.
 */
export const SyncWave = {
  namespace: -10,
  guardrails: -9,
  generatedCredentials: -8,
  credentialsAccess: -7,
  tenantCredentials: -6,
  provisioning: -5,
  platformApplication: -1,
  workloadApplication: 0,
} as const

export const syncWave = (wave: number): Record<string, string> => ({ "argocd.argoproj.io/sync-wave": String(wave) })
