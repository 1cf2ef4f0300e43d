/**
 * A two-party session run in memory, byte for byte as on the wire (messages encoded and decoded, each framed by an
 * unsigned-varint length prefix). Used by the tests and by the design-space model in bench/sync.ts; the node runs
 * the same Reconciler over a libp2p stream (node/sync/).
 */
import { MAX_MESSAGE_BYTES, MAX_RECORDS_PER_REPLY, SYNC_PARAMS } from './constants.ts'
import type { SyncParams } from './constants.ts'
import type { IdSet } from './id-set.ts'
import { decodeQuery, decodeReply, encodeQuery, encodeReply, openedNodes } from './messages.ts'
import { Reconciler, answerNodes, matchWants } from './reconcile.ts'
import type { ReconcileStats } from './reconcile.ts'

export interface SimulationOptions {
  params?: SyncParams
  /** Encoded size of the record with this ID (the simulation sends that many zero bytes as its record). */
  recordBytes?: (id: Uint8Array) => number
  /** Tombstones of the initiator. */
  exclude?: IdSet
}

export interface SimulationResult {
  /** The initiator's set after the session. */
  result: IdSet
  stats: ReconcileStats
  /** Bytes initiator → responder, framing included. */
  queryBytes: number
  /** Bytes responder → initiator, framing included (records included). */
  replyBytes: number
  /** Of replyBytes, the records' own encoded bytes. */
  recordBytes: number
  recordsFetched: number
}

/** Length of the unsigned-varint length prefix of an n-byte message. */
export function varintLength(n: number): number {
  let len = 1
  while (n >= 128) {
    n = Math.floor(n / 128)
    len++
  }
  return len
}

/** Runs a full session: `initiator` pulls from `responder`. */
export function simulateSession(initiator: IdSet, responder: IdSet, opts: SimulationOptions = {}): SimulationResult {
  const params = opts.params ?? SYNC_PARAMS
  const size = opts.recordBytes ?? (() => 1024)
  const r = new Reconciler(initiator, opts.exclude, params)
  let set = initiator
  const out: SimulationResult = { result: set, stats: r.stats, queryBytes: 0, replyBytes: 0, recordBytes: 0, recordsFetched: 0 }
  for (let q = r.nextQuery(); q !== null; q = r.nextQuery()) {
    const qb = encodeQuery(q)
    out.queryBytes += qb.length + varintLength(qb.length)
    // Responder side.
    const query = decodeQuery(qb, params)
    const nodes = answerNodes(responder, openedNodes(query, params), params)
    const matches = matchWants(responder, query.wants).flat()
    const records: Uint8Array[] = []
    const ids: Uint8Array[] = []
    let budget = MAX_MESSAGE_BYTES / 2
    let truncated = false
    for (const id of matches) {
      const n = size(id)
      if (records.length >= MAX_RECORDS_PER_REPLY || n + 8 > budget) {
        truncated = true
        break
      }
      budget -= n + 8
      records.push(new Uint8Array(n))
      ids.push(id)
    }
    const rb = encodeReply({ nodes, records, truncated })
    out.replyBytes += rb.length + varintLength(rb.length)
    // Initiator side.
    const reply = decodeReply(rb, params)
    out.recordBytes += records.reduce((s, x) => s + x.length, 0)
    out.recordsFetched += ids.length
    const accepted = ids.filter((id) => r.isWanted(id))
    r.onReply(reply, accepted)
    set = set.withIds(accepted)
  }
  out.result = set
  return out
}
