/** The local HTTP API: server (run by the node), client (used by CLI commands), node.json discovery. */
export { startApi } from './server.ts'
export type { ApiOptions, ApiServer } from './server.ts'
export { ApiClient, ApiError, connectToNode } from './client.ts'
export { writeNodeFile, removeNodeFile, readNodeFile, nodeFilePath } from './node-file.ts'
export type { NodeFile } from './node-file.ts'
export { storeHandlers } from './store-handlers.ts'
export type { ApiHandlers, PublishOutcome, RecordInfoJson, RecordPage } from './types.ts'
export { infoToJson } from './types.ts'
