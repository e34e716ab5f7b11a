export * from "./postgres-provision.ts"
export * from "./redis-provision.ts"
