import { type ConfigIssue, canonicalHostname, customHostnameRefusal, type Platform } from "@ppi/config"
import type { LoadedTenant } from "../load/tenant-files.ts"

const PLATFORM_APP_SUFFIX = "-platform"

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
  for (const { file, tenant } of tenants) {
    const other = tenant.name.endsWith(PLATFORM_APP_SUFFIX) ? tenant.name.slice(0, -PLATFORM_APP_SUFFIX.length) : ""
    const owner = names.get(other)
    if (owner !== undefined)
      issues.push({
        file,
        path: "name",
        message: `"${tenant.name}" names the Argo CD Application of tenant "${other}"'s platform objects (${owner})`,
      })
  }
  for (const { file, tenant } of tenants) {
    const claimed: ReadonlyArray<readonly [string, string]> = [
      ["name", canonicalHostname(tenant.name, platform.baseDomain)],
      ...tenant.hostnames.map((host, index) => [`hostnames[${index}]`, host] as const),
    ]
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
