/** Reading data files from disk (the parser itself is `@ppi/data-file`): the one loader every command uses. */
export { loadPlatform, loadPlatformSource } from "./platform-file.ts"
export { MAX_DATA_FILE_BYTES, MAX_PLATFORM_FILE_BYTES, parseDataSource, readDataSource } from "./read-data-source.ts"
