/**
 * Anti-entropy sync, /aip/sync/1.0.0 (specs/sync-v1.md). Public surface:
 *
 * ```ts
 * const index = await SyncIndex.load(store)
 * const sync = new SyncService({ libp2p, index, store, accept: (b) => validator.local(b, Date.now()) })
 * await sync.start()                       // serves peers; pulls on connect and every SYNC_INTERVAL_MS
 * const r = await sync.syncWith(multiaddr) // on demand: { peer, accepted, rounds, bytesSent, bytesReceived, … }
 * ```
 * Whoever stores records by another path (gossip) calls `index.add(digestOfId(id))`; whoever withdraws one calls
 * `index.withdraw(digest)`. The index also reloads itself when the store's count disagrees.
 */
export { SyncService } from './service.ts'
export type { SyncComponents, SyncInit, SyncResult } from './service.ts'
export { SyncIndex } from './sync-index.ts'
export type { IndexedStore } from './sync-index.ts'
export type { SessionReport, SessionTimeouts, SyncVerdict } from './session.ts'
export { digestOfId, idOfDigest, digestOfRecord } from './record-ids.ts'
export * from './constants.ts'
