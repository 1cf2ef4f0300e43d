/**
 * Anti-entropy set reconciliation, /aip/sync/1.0.0 (specs/sync-v1.md) — the pure half: no I/O, no clock.
 *
 * ```ts
 * const r = new Reconciler(IdSet.from(myDigests), IdSet.from(tombstoneDigests))
 * for (let q = r.nextQuery(); q !== null; q = r.nextQuery()) {
 *   const reply = decodeReply(await roundTrip(encodeQuery(q)))       // the peer runs answerNodes + matchWants
 *   r.onReply(reply, idsOfTheRecordsStored)
 * }
 * ```
 */
export * from './constants.ts'
export { SyncError } from './errors.ts'
export type { SyncErrorCode } from './errors.ts'
export { IdSet } from './id-set.ts'
export type { ChildSummaries } from './id-set.ts'
export { fingerprintIds } from './fingerprint.ts'
export { decodeQuery, decodeReply, encodeQuery, encodeReply, openedNodes, openGroups } from './messages.ts'
export type { NodeAnswer, OpenGroup, Query, Reply } from './messages.ts'
export { Reconciler, answerNodes, matchWants } from './reconcile.ts'
export type { ReconcileStats } from './reconcile.ts'
export { simulateSession, varintLength } from './simulate.ts'
export type { SimulationOptions, SimulationResult } from './simulate.ts'
export type { TreeNode } from './tree.ts'
