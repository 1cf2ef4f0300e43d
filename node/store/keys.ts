/**
 * Key layout of the record store (one level database, utf8 keys, byte values). Every key is ASCII. Format 2:
 *
 *   v!format                → '2'  the layout version (STORE_FORMAT); a format-1 store is migrated on open
 *   r!ID                    → u16 (big-endian) length of the meta, meta JSON {type, signer, created, suite?, model?},
 *                             then the record envelope bytes (COSE_Sign1): one entry holds a record and its meta
 *   c!CREATED!ID            → ''   all records by (created, id) — the order sync reconciles over
 *   t!TYPE!CREATED!ID       → ''   by record type
 *   u!SUITE!CREATED!ID      → ''   BenchmarkResults by suite CID
 *   o!MODEL!CREATED!ID      → ''   BenchmarkResults by model (ModelCommitment) CID
 *   x!ID                    → tombstone JSON {reason, at}
 *
 * CREATED is the record's `created` (ms) as 14 hex digits, so byte order = numeric order (2^53 < 16^14).
 * A record, its meta and all its index entries are written in one level batch, so they exist together or not at all.
 * Format 1 (until issue 17) also wrote m!ID (the meta) and s!SIGNERHEX!CREATED!ID (by signer): 7 entries for a
 * BenchmarkResult, now 5 (3 for other types). LevelDB's CPU per synced record grows by ~4 µs per entry on this machine
 * (bench/store.ts); a query by signer now walks the type or all index and filters on the meta, as the other fields do.
 */
export interface RecordMeta {
  type: string
  /** Signer public key, hex. */
  signer: string
  created: number
  /** Suite CID, for BenchmarkResults. */
  suite?: string
  /** Model (ModelCommitment) CID, for BenchmarkResults. */
  model?: string
}

export const RECORD = 'r!'
/** Format 1 only: the meta entry, now the head of the r! value. */
export const LEGACY_META = 'm!'
/** Format 1 only: the signer index. */
export const LEGACY_SIGNER = 's!'
export const FORMAT_KEY = 'v!format'
/** The layout version this code writes and reads (see above). */
export const STORE_FORMAT = 2
export const TOMBSTONE = 'x!'
/** Index prefixes, by the query field they serve. */
export const INDEX = { all: 'c!', type: 't!', suite: 'u!', model: 'o!' } as const
export type IndexName = keyof typeof INDEX

/** Upper bound for a range over a prefix: every key we write is ASCII, so 0xFF sorts after all of them. */
export const PREFIX_END = '\xff'

export function createdKey(created: number): string {
  return created.toString(16).padStart(14, '0')
}

/** The prefix (ending in '!') of one index bucket: `t!BenchmarkResult!`. */
export function bucket(index: IndexName, value?: string): string {
  return index === 'all' ? INDEX.all : `${INDEX[index]}${value}!`
}

/** Every index key a record with this meta has. */
export function indexKeys(id: string, m: RecordMeta): string[] {
  const tail = `${createdKey(m.created)}!${id}`
  const keys = [bucket('all') + tail, bucket('type', m.type) + tail]
  if (m.suite !== undefined) keys.push(bucket('suite', m.suite) + tail)
  if (m.model !== undefined) keys.push(bucket('model', m.model) + tail)
  return keys
}

/** The record ID at the end of an index key. */
export function idOfIndexKey(key: string): string {
  return key.slice(key.lastIndexOf('!') + 1)
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** The r! value: u16 meta length, meta JSON, envelope. */
export function recordValue(meta: RecordMeta, envelope: Uint8Array): Uint8Array {
  const m = utf8.encode(JSON.stringify(meta))
  if (m.length > 0xffff) throw new Error('record meta over 64 KiB') // bounded by the registry's fields; never happens
  const out = new Uint8Array(2 + m.length + envelope.length)
  out[0] = m.length >>> 8
  out[1] = m.length & 0xff
  out.set(m, 2)
  out.set(envelope, 2 + m.length)
  return out
}

/** Splits an r! value into its meta and a view of its envelope bytes (same memory). */
export function splitRecordValue(v: Uint8Array): { meta: RecordMeta; envelope: Uint8Array } {
  const n = (v[0]! << 8) | v[1]!
  const envelope = new Uint8Array(v.buffer, v.byteOffset + 2 + n, v.byteLength - 2 - n)
  return { meta: JSON.parse(fromUtf8.decode(v.subarray(2, 2 + n))) as RecordMeta, envelope }
}

/** The envelope view of an r! value, without parsing the meta. */
export function envelopeOf(v: Uint8Array): Uint8Array {
  const n = (v[0]! << 8) | v[1]!
  return new Uint8Array(v.buffer, v.byteOffset + 2 + n, v.byteLength - 2 - n)
}
