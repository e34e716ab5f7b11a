export * from "./parse-data-file.ts"
