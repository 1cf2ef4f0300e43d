/** The record store (node/README.md §The record store). */
export { RecordStore, StoreError, metaOf } from './store.ts'
export type { StorableRecord, PutResult, ListQuery, RecordInfo, RecordKey, Tombstone } from './store.ts'
export { loadTrust, replayTrust, FEDERATION_TYPES } from './trust.ts'
