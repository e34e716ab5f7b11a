export * from "./fleet.ts"
export * from "./measure.ts"
