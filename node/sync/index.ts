/**
 * Anti-entropy sync, /aip/sync/1.0.0 (specs/sync-v1.md). Public surface, as a site node wires it:
 *
 * ```ts
 * const index = await SyncIndex.load(store)
 * const sync = new SyncService({
 *   libp2p: net.host.libp2p, index, store,
 *   accept: (bytes, peer) => door.admit(bytes, { via: 'sync', peer }),   // node/records: the one door
 *   admits: (peer) => net.gate.isAdmitted(peer),
 *   whenAdmitted: (peer) => net.gate.whenAdmitted(peer),
 *   penalise: (peer, points) => net.gate.penalise(peer, points),
 *   log: (line) => log('sync', { line }),
 * })
 * await sync.start()                       // serves peers; pulls on connect and every SYNC_INTERVAL_MS
 * const r = await sync.syncWith(multiaddr) // on demand: { peer, accepted, rounds, bytesSent, bytesReceived, … }
 * await sync.stop()                        // before the network stops
 * ```
 * The door's `stored` event calls `index.add(digestOfId(id))` whatever the entrance, its `withdrawn` event
 * `index.withdraw(digest)`. The index also reloads itself from the store when the store's count disagrees with it.
 */
export { SyncService } from './service.ts'
export type { SyncComponents, SyncInit, SyncResult } from './service.ts'
export { SyncIndex } from './sync-index.ts'
export type { IndexedStore } from './sync-index.ts'
export type { SessionReport, SessionTimeouts, SyncVerdict } from './session.ts'
export { digestOfId, idOfDigest, digestOfRecord } from './record-ids.ts'
export * from './constants.ts'
