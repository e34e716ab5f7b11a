export * from "./postgres-provision.ts"
export * from "./redis-provision.ts"
export * from "./redis-server.ts"
