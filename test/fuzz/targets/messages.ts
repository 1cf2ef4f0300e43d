/**
 * Fuzz targets for the peer messages: the hello (specs/network-v1.md §3, node/net/hello-message.ts) and the two sync
 * messages (specs/sync-v1.md §5, protocol/sync/messages.ts). Oracle: the decoder throws its documented error class
 * with its code, or returns a message that re-encodes to exactly the input (one wire form per message).
 */
import { decodeRecord } from '../../../protocol/index.ts'
import { decodeQuery, decodeReply, encodeQuery, encodeReply, SyncError } from '../../../protocol/sync/index.ts'
import { decodeHello, encodeHello, HelloDecodeError } from '../../../node/net/hello-message.ts'
import { mutated, RECORD_POOL, SYNC_QUERIES, SYNC_REPLIES } from '../corpus.ts'
import type { FuzzTarget, Verdict } from '../harness.ts'

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0

/** Hellos built from the vector pool: each certificate with none, some, or all of the other records. */
function helloCorpus(): Uint8Array[] {
  const pool = [...RECORD_POOL.values()]
  const certs = pool.filter((b) => decodeRecord(b).record?.type === 'SiteCertificate')
  const others = pool.filter((b) => !certs.includes(b))
  const out: Uint8Array[] = []
  for (const c of certs) {
    out.push(encodeHello({ certificate: c, federation: [] }))
    out.push(encodeHello({ certificate: c, federation: others.slice(0, 2) }))
    out.push(encodeHello({ certificate: c, federation: others }))
  }
  return out
}

export const helloTarget: FuzzTarget = {
  name: 'hello',
  arbitrary: mutated(helloCorpus(), 256),
  run(bytes): Verdict {
    try {
      const h = decodeHello(bytes)
      if (!same(encodeHello(h), bytes)) return { fail: 'accepted-invalid', reason: 'accepted a hello that does not re-encode to itself' }
      return 'accepted'
    } catch (e) {
      if (e instanceof HelloDecodeError && e.code === 'bad_hello') return 'rejected'
      throw e
    }
  },
}

const SYNC_CODES = new Set(['malformed', 'non_canonical', 'limit', 'inconsistent', 'unsolicited', 'timeout'])

function syncVerdict(decodeAndEncode: () => boolean): Verdict {
  try {
    return decodeAndEncode() ? 'accepted' : { fail: 'accepted-invalid', reason: 'accepted a message that does not re-encode to itself' }
  } catch (e) {
    if (e instanceof SyncError && SYNC_CODES.has(e.code)) return 'rejected'
    throw e
  }
}

/** Each input is read both as a query and as a reply: both answers must be clean. */
export const syncTarget: FuzzTarget = {
  name: 'sync',
  arbitrary: mutated([...SYNC_QUERIES, ...SYNC_REPLIES], 256),
  run(bytes) {
    const q = syncVerdict(() => same(encodeQuery(decodeQuery(bytes)), bytes))
    if (typeof q === 'object') return q
    const r = syncVerdict(() => same(encodeReply(decodeReply(bytes)), bytes))
    if (typeof r === 'object') return r
    return q === 'accepted' || r === 'accepted' ? 'accepted' : 'rejected'
  },
}
