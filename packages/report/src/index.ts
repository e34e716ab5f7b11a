export * from "./fleet-data.ts"
export { renderReport } from "./render-html.ts"
