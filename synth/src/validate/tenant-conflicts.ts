import { type ConfigIssue, customHostnameRefusal, hostnamesOf, type Platform, platformApplicationOf } from "@ppi/config"
import type { LoadedTenant } from "../load/tenant-files.ts"

/**
 * Fleet-wide uniqueness: names (hence namespaces, DB roles, cache users) and every hostname,
 * canonical or custom; custom hostnames must be the tenant's own (verified) and never the
 * platform's. Each conflict is reported on the later file, naming the earlier one.
 */
export const findConflicts = (
  tenants: ReadonlyArray<Pick<LoadedTenant, "file" | "tenant">>,
  platform: Platform,
): ReadonlyArray<ConfigIssue> => {
  const names = new Map<string, string>()
  const hosts = new Map<string, string>()
  const issues: Array<ConfigIssue> = []
  for (const { file, tenant } of tenants) {
    const owner = names.get(tenant.name)
    if (owner !== undefined)
      issues.push({ file, path: "name", message: `duplicate tenant name "${tenant.name}" (also in ${owner})` })
    else names.set(tenant.name, file)
  }
  // Tenant `x`'s platform Application is named `x-platform`: so is tenant `x-platform`'s own.
  const platformApplications = new Map([...names.keys()].map((name) => [platformApplicationOf(name), name]))
  for (const { file, tenant } of tenants) {
    const other = platformApplications.get(tenant.name)
    const owner = other === undefined ? undefined : names.get(other)
    if (owner !== undefined)
      issues.push({
        file,
        path: "name",
        message: `"${tenant.name}" names the Argo CD Application of tenant "${other}"'s platform objects (${owner})`,
      })
  }
  for (const { file, tenant } of tenants) {
    // The canonical hostname comes first and is the name's; the others are the file's `hostnames`.
    const claimed = hostnamesOf(tenant, platform.baseDomain).map(
      (host, index) => [index === 0 ? "name" : `hostnames[${index - 1}]`, host] as const,
    )
    for (const [path, host] of claimed) {
      const refusal = path === "name" ? undefined : customHostnameRefusal(platform, tenant.name, host)
      if (refusal !== undefined) issues.push({ file, path, message: refusal })
      const holder = hosts.get(host)
      if (holder !== undefined && holder !== file)
        issues.push({ file, path, message: `duplicate hostname ${host} (also claimed by ${holder})` })
      else hosts.set(host, file)
    }
  }
  return issues
}
