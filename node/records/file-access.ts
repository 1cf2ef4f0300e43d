/**
 * A read-only records port over a file of records (an RFC 8742 CBOR sequence, as `aip export` writes): what an
 * auditor holds without a site directory — the records a site gossips (suite, model commitment, result, transcript).
 * No federation state: `trust()` knows only the charters and certificates in the file, under no pinned genesis, so
 * nothing in it is certified (the verifier says "signer not certified" unless it is given a site directory).
 */
import { decodeRecord, TrustState } from '../../protocol/index.ts'
import type { DecodedRecord } from '../../protocol/index.ts'
import type { RecordInfoJson } from '../api/types.ts'
import { metaOf } from '../store/store.ts'
import type { Site } from '../site/dir.ts'
import type { RecordAccess } from './access.ts'
import { splitSequence } from './sequence.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** Reads every record of `bytes`; throws on a framing error or a record that does not decode (named by offset). */
export function recordsOfSequence(bytes: Uint8Array): DecodedRecord[] {
  return splitSequence(bytes).map((item) => {
    if ('error' in item) throw new Error(`byte ${item.offset}: ${item.error}`)
    const o = decodeRecord(item.bytes)
    if (o.action !== 'accept') throw new Error(`byte ${item.offset}: ${o.code} ${o.message}`)
    return o.record
  })
}

export function fileRecords(records: readonly DecodedRecord[]): RecordAccess {
  const byId = new Map(records.map((r) => [r.id, r]))
  const info = (r: DecodedRecord): RecordInfoJson => {
    const m = metaOf(r)
    return { id: r.id, type: m.type, signer: m.signer, created: m.created, ...(m.suite === undefined ? {} : { suite: m.suite }), ...(m.model === undefined ? {} : { model: m.model }) }
  }
  return {
    via: 'store',
    site: undefined as unknown as Site, // no site: callers that need one (own runs, publishing) must not get a file port
    async *list(q) {
      const signer = q.signer === undefined ? undefined : hex(q.signer)
      for (const r of [...byId.values()].sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1))) {
        const i = info(r)
        if ((q.type === undefined || i.type === q.type) && (signer === undefined || i.signer === signer) &&
          (q.suite === undefined || i.suite === q.suite) && (q.model === undefined || i.model === q.model)) yield i
      }
    },
    get: async (id) => byId.get(id)?.bytes,
    trust: async () => new TrustState('none'),
    publish: async () => ({ action: 'reject', code: 'unsupported', message: 'a file of records is read-only' }),
    close: async () => {},
  }
}
