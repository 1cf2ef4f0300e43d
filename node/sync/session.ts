/**
 * One sync session over a libp2p stream (specs/sync-v1.md §5–§7): length-prefixed messages (unsigned varint, then
 * the CBOR message), every read bounded by MAX_MESSAGE_BYTES and ROUND_TIMEOUT_MS, the whole session by
 * SESSION_TIMEOUT_MS. `initiate` pulls what the peer has and we lack; `respond` serves a peer's session.
 */
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { LengthPrefixedStream } from '@libp2p/utils'
import { MAX_MESSAGE_BYTES, MAX_RECORDS_PER_REPLY, MAX_ROUNDS, ROUND_TIMEOUT_MS, SESSION_TIMEOUT_MS, SyncError, decodeQuery, decodeReply, encodeQuery, encodeReply, openedNodes, Reconciler, answerNodes, matchWants, varintLength } from '../../protocol/index.ts'
import type { IdSet } from '../../protocol/index.ts'
import type { RecordStore } from '../store/store.ts'
import { digestOfRecord, idOfDigest } from './record-ids.ts'

/** Records read from the store at a time while filling a reply. */
const READ_CHUNK = 64

/** The outcome of validating and storing one record, as gossip's validator reports it. */
export interface SyncVerdict {
  action: 'accept' | 'ignore' | 'reject'
  code: string
}

/** What a session reports (and the benchmark counts). */
export interface SessionReport {
  rounds: number
  /** Bytes we wrote on the stream (length prefixes included). */
  bytesSent: number
  /** Bytes we read from the stream (length prefixes included). */
  bytesReceived: number
  /** Records received (initiator) or served (responder). */
  records: number
  /** Of those received, accepted (newly stored). */
  accepted: number
  /** Received but ignored (duplicate, tombstoned, unknown signer, …). */
  ignored: number
  ms: number
}

/** Timeouts of a session (defaults: the protocol's ROUND_TIMEOUT_MS and SESSION_TIMEOUT_MS). */
export interface SessionTimeouts {
  roundMs: number
  sessionMs: number
}

export const DEFAULT_TIMEOUTS: Readonly<SessionTimeouts> = Object.freeze({ roundMs: ROUND_TIMEOUT_MS, sessionMs: SESSION_TIMEOUT_MS })

export interface InitiateComponents {
  /** Validates a record exactly as gossip does and, if valid, stores it durably before resolving. */
  accept(bytes: Uint8Array): Promise<SyncVerdict>
  /** Told of every digest newly stored. */
  onStored(digest: Uint8Array): void
}

function emptyReport(): SessionReport {
  return { rounds: 0, bytesSent: 0, bytesReceived: 0, records: 0, accepted: 0, ignored: 0, ms: 0 }
}

function framed(n: number): number {
  return n + varintLength(n)
}

async function readMessage(lp: LengthPrefixedStream<Stream>, deadline: number, t: SessionTimeouts): Promise<Uint8Array> {
  const ms = Math.min(t.roundMs, deadline - Date.now())
  if (ms <= 0) throw new SyncError('timeout', `session over ${t.sessionMs} ms`)
  try {
    return (await lp.read({ signal: AbortSignal.timeout(ms) })).subarray()
  } catch (err) {
    const name = (err as Error).name
    if (name === 'TimeoutError' || name === 'AbortError') throw new SyncError('timeout', `no message within ${ms} ms`)
    if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
      throw new SyncError('limit', `a message over ${MAX_MESSAGE_BYTES} bytes`)
    }
    throw err
  }
}

/** Pulls from the peer on `stream` what `mine` lacks; closes the stream when done. */
export async function initiate(stream: Stream, mine: IdSet, tombstones: IdSet, c: InitiateComponents, t: SessionTimeouts = DEFAULT_TIMEOUTS): Promise<SessionReport> {
  const start = Date.now()
  const deadline = start + t.sessionMs
  const report = emptyReport()
  const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
  const recon = new Reconciler(mine, tombstones)
  const send = async (bytes: Uint8Array): Promise<void> => {
    await lp.write(bytes)
    report.bytesSent += framed(bytes.length)
  }
  let q = recon.nextQuery()
  if (q !== null) await send(encodeQuery(q))
  while (q !== null) {
    const rb = await readMessage(lp, deadline, t)
    report.bytesReceived += framed(rb.length)
    const reply = decodeReply(rb)
    // §5.3 every record must answer a want of this query.
    const digests = reply.records.map(digestOfRecord)
    for (const d of digests) if (!recon.isWanted(d)) throw new SyncError('unsolicited', `record ${idOfDigest(d)} answers no want`)
    recon.onReply(reply, digests)
    // The next query goes out before the records are validated and stored, so the responder never waits on our
    // validation (and the two overlap).
    q = recon.nextQuery()
    if (q !== null) await send(encodeQuery(q))
    // §5.3 each record passes gossip's validation and is stored durably; a REJECT cuts the peer off.
    const verdicts = await Promise.all(reply.records.map((r) => c.accept(r)))
    verdicts.forEach((v, i) => {
      if (v.action === 'reject') throw new SyncError('unsolicited', `record ${idOfDigest(digests[i])} rejected: ${v.code}`)
      if (v.action === 'accept') {
        report.accepted++
        c.onStored(digests[i])
      } else report.ignored++
    })
    report.records += reply.records.length
  }
  report.rounds = recon.stats.rounds
  report.ms = Date.now() - start
  await stream.close()
  return report
}

/** Serves one peer's session from the snapshot `mine`, reading records from `store`. */
export async function respond(stream: Stream, mine: IdSet, store: Pick<RecordStore, 'getMany'>, t: SessionTimeouts = DEFAULT_TIMEOUTS): Promise<SessionReport> {
  const start = Date.now()
  const deadline = start + t.sessionMs
  const report = emptyReport()
  const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
  while (true) {
    let qb: Uint8Array
    try {
      qb = await readMessage(lp, deadline, t)
    } catch (err) {
      if ((err as Error).name === 'UnexpectedEOFError') break // §5 the initiator closed: the session is over
      throw err
    }
    report.bytesReceived += framed(qb.length)
    if (++report.rounds > MAX_ROUNDS) throw new SyncError('limit', `more than ${MAX_ROUNDS} rounds`)
    const query = decodeQuery(qb)
    const nodes = answerNodes(mine, openedNodes(query))
    const ids = matchWants(mine, query.wants).flat()
    // §6 records fill what the nodes leave of MAX_MESSAGE_BYTES; the rest waits for a re-ask (truncated).
    let room = MAX_MESSAGE_BYTES - encodeReply({ nodes, records: [], truncated: true }).length
    const records: Uint8Array[] = []
    let truncated = false
    // Read in small chunks, so a query never makes us load more than one chunk beyond what the reply can hold.
    fill: for (let i = 0; i < ids.length; i += READ_CHUNK) {
      for (const bytes of await store.getMany(ids.slice(i, i + READ_CHUNK).map(idOfDigest))) {
        if (bytes === undefined) continue // withdrawn since the snapshot
        const cost = bytes.length + 9
        if (records.length >= MAX_RECORDS_PER_REPLY || cost > room) {
          truncated = true
          break fill
        }
        room -= cost
        records.push(bytes)
      }
    }
    const rb = encodeReply({ nodes, records, truncated })
    await lp.write(rb)
    report.bytesSent += framed(rb.length)
    report.records += records.length
  }
  report.ms = Date.now() - start
  await stream.close()
  return report
}
