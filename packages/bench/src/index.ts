export * from "./fleet.ts"
export * from "./kustomize.ts"
export * from "./measure.ts"
