/**
 * Key layout of the record store (one level database, binary keys, byte values), format 4 (issue 17). D is a
 * record's sha2-256 digest, the 32 bytes its ID names (protocol recordDigest); T is `created` (ms) as 8 bytes
 * big-endian, so byte order = numeric order:
 *
 *   'v!format'              → '4'  the layout version (STORE_FORMAT), ASCII key and value
 *   01 D                    → u16 (big-endian) length of the meta, the meta, then the record envelope bytes
 *                             (COSE_Sign1): one entry holds a record and its meta. The meta is binary: T, the
 *                             signer's key (u8 length, bytes), then the record's index buckets but the first — its
 *                             type bucket (03 len TYPE) and, for a BenchmarkResult, its suite and model buckets (04 V,
 *                             05 V) — the very bytes that start its index keys
 *   02 T D                  → ''   all records by (created, id) — the order sync reconciles over (41 bytes)
 *   03 len TYPE T D         → ''   by record type (TYPE: its ASCII name, len: its length, one byte)
 *   04 V T D                → ''   BenchmarkResults by suite CID (V: linkKey)
 *   05 V T D                → ''   BenchmarkResults by model (ModelCommitment) CID
 *   06 D                    → tombstone JSON {reason, signer?, at, withdrew?}
 *
 * A record, its meta and all its index entries are written in one level batch, so they exist together or not at all.
 * The first bytes 01–06 are below every printable ASCII byte, so no key of this format falls in a range of an older
 * one, whose keys were ASCII strings: format 1 (until issue 17) 'r!ID' (envelope), 'm!ID' (meta), 'c!CREATED!ID',
 * 't!TYPE!CREATED!ID', 's!SIGNERHEX!CREATED!ID', 'u!SUITE!CREATED!ID', 'o!MODEL!CREATED!ID', 'x!ID' (CREATED as 14
 * hex digits, ID the 59-character base32 record ID): 7 entries for a BenchmarkResult with ~150-byte keys; format 2
 * folded m! into r! and dropped s!. Format 3 had today's keys, with the meta as JSON {type, signer (hex), created,
 * suite?, model?}; format 4 writes it in binary (built without JSON or hex, ~60 bytes shorter). So one entry per
 * record plus 2 index entries (4 for a BenchmarkResult) of 41–74 bytes. Older formats are migrated on open
 * (migrate.ts).
 */
import { CID } from 'multiformats/cid'
import { recordIdOfDigest } from '../../protocol/index.ts'

export interface RecordMeta {
  type: string
  /** Signer public key. */
  signer: Uint8Array
  created: number
  /** Suite CID, for BenchmarkResults. */
  suite?: string
  /** Model (ModelCommitment) CID, for BenchmarkResults. */
  model?: string
}

/** The layout version this code writes and reads (see above). */
export const STORE_FORMAT = 4
export const FORMAT_KEY = Uint8Array.from(Buffer.from('v!format', 'ascii'))

export const RECORD = 0x01
export const TOMBSTONE = 0x06
/** Index prefixes, by the query field they serve. */
export const INDEX = { all: 0x02, type: 0x03, suite: 0x04, model: 0x05 } as const
export type IndexName = keyof typeof INDEX

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'))
const ALL = Uint8Array.of(INDEX.all)

/** The key of a one-byte prefix and a digest (a record, a tombstone). */
export function digestKey(prefix: number, digest: Uint8Array): Uint8Array {
  const k = new Uint8Array(33)
  k[0] = prefix
  k.set(digest, 1)
  return k
}

/** The upper bound of a range over every key that starts with `prefix` (a byte string): prefix + FF…. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const k = new Uint8Array(prefix.length + 1)
  k.set(prefix)
  k[prefix.length] = 0xff
  return k
}

/**
 * The bytes of a suite or model link in its index key: 00 len CID-bytes for a CID in its canonical string form
 * (always, for a store written by metaOf), else 01 len UTF-8 (a format-1 store may hold anything).
 */
function linkKey(value: string): Uint8Array {
  let bytes: Uint8Array | undefined
  try {
    const cid = CID.parse(value)
    if (cid.toString() === value) bytes = cid.bytes
  } catch {
    bytes = undefined
  }
  const tag = bytes === undefined ? 1 : 0
  bytes ??= Buffer.from(value, 'utf8')
  const out = new Uint8Array(2 + Math.min(bytes.length, 255))
  out[0] = tag
  out[1] = out.length - 2
  out.set(bytes.subarray(0, 255), 2)
  return out
}

/** Bucket prefixes by index, then value: types, suites and models repeat from record to record. Bounded. */
const BUCKETS = { all: new Map<string, Uint8Array>(), type: new Map<string, Uint8Array>(), suite: new Map<string, Uint8Array>(), model: new Map<string, Uint8Array>() }
const BUCKETS_MAX = 1024

/** The prefix of one index bucket: `03 len 'BenchmarkResult'`. Shared: callers never write into it. */
export function bucket(index: IndexName, value?: string): Uint8Array {
  if (index === 'all') return ALL
  const cache = BUCKETS[index]
  let b = cache.get(value!)
  if (b === undefined) {
    b = makeBucket(index, value!)
    if (cache.size >= BUCKETS_MAX) cache.clear()
    cache.set(value!, b)
  }
  return b
}

function makeBucket(index: IndexName, value?: string): Uint8Array {
  if (index === 'all') return Uint8Array.of(INDEX.all)
  const v = index === 'type' ? ascii(value!).subarray(0, 255) : linkKey(value!) // cut at 255 bytes (metaOf refuses longer types)
  const head = index === 'type' ? [INDEX.type, v.length] : [INDEX[index]]
  const out = new Uint8Array(head.length + v.length)
  out.set(head)
  out.set(v, head.length)
  return out
}

/** The key of a position in a bucket: prefix, created (8 bytes big-endian), then the digest if given. */
export function positionKey(prefix: Uint8Array, created: number, digest?: Uint8Array): Uint8Array {
  const k = new Uint8Array(prefix.length + 8 + (digest?.length ?? 0))
  writePositionKey(k, 0, prefix, created, digest)
  return k
}

/** Writes a position key (see positionKey) into `out` at `at`; returns where it ends. */
export function writePositionKey(out: Uint8Array, at: number, prefix: Uint8Array, created: number, digest?: Uint8Array): number {
  out.set(prefix, at)
  writeCreated(out, at + prefix.length, created)
  if (digest === undefined) return at + prefix.length + 8
  out.set(digest, at + prefix.length + 8)
  return at + prefix.length + 8 + digest.length
}

function writeCreated(k: Uint8Array, at: number, created: number): void {
  const hi = Math.floor(created / 0x100000000)
  const lo = created >>> 0
  k[at] = hi >>> 24
  k[at + 1] = (hi >>> 16) & 0xff
  k[at + 2] = (hi >>> 8) & 0xff
  k[at + 3] = hi & 0xff
  k[at + 4] = lo >>> 24
  k[at + 5] = (lo >>> 16) & 0xff
  k[at + 6] = (lo >>> 8) & 0xff
  k[at + 7] = lo & 0xff
}

/** `created` from the 8 bytes at `at`. */
export function readCreated(k: Uint8Array, at: number): number {
  const hi = ((k[at]! << 24) | (k[at + 1]! << 16) | (k[at + 2]! << 8) | k[at + 3]!) >>> 0
  const lo = ((k[at + 4]! << 24) | (k[at + 5]! << 16) | (k[at + 6]! << 8) | k[at + 7]!) >>> 0
  return hi * 0x100000000 + lo
}

/** The bucket prefixes of every index a record with this meta is in (its index keys: each + created + digest). */
export function indexBuckets(m: RecordMeta): Uint8Array[] {
  const buckets = [ALL, bucket('type', m.type)]
  if (m.suite !== undefined) buckets.push(bucket('suite', m.suite))
  if (m.model !== undefined) buckets.push(bucket('model', m.model))
  return buckets
}

/** Every index key a record with this meta and digest has. */
export function indexKeys(digest: Uint8Array, m: RecordMeta): Uint8Array[] {
  return indexBuckets(m).map((b) => positionKey(b, m.created, digest))
}

/** The digest at the end of an index key (a view). */
export function digestOfIndexKey(key: Uint8Array): Uint8Array {
  return key.subarray(key.length - 32)
}

const fromUtf8 = new TextDecoder()

/** The record value: u16 meta length, meta (binary, see above), envelope. */
export function recordValue(meta: RecordMeta, envelope: Uint8Array): Uint8Array {
  const buckets = indexBuckets(meta)
  const out = new Uint8Array(recordValueLength(meta, buckets, envelope))
  writeRecordValue(out, 0, meta, buckets, envelope)
  return out
}

/** The length of the record value of this meta (its buckets: indexBuckets) and envelope. */
export function recordValueLength(meta: RecordMeta, buckets: readonly Uint8Array[], envelope: Uint8Array): number {
  let n = 2 + 8 + 1 + meta.signer.length + envelope.length
  for (let i = 1; i < buckets.length; i++) n += buckets[i]!.length
  return n
}

/** Writes the record value into `out` at `at` (recordValueLength bytes); returns where it ends. */
export function writeRecordValue(out: Uint8Array, at: number, meta: RecordMeta, buckets: readonly Uint8Array[], envelope: Uint8Array): number {
  if (meta.signer.length > 0xff) throw new Error('signer key over 255 bytes') // an Ed25519 key is 32
  let o = at + 2
  writeCreated(out, o, meta.created)
  o += 8
  out[o++] = meta.signer.length
  out.set(meta.signer, o)
  o += meta.signer.length
  for (let i = 1; i < buckets.length; i++) {
    out.set(buckets[i]!, o)
    o += buckets[i]!.length
  }
  const n = o - at - 2 // at most 8 + 256 + 3 × 257
  out[at] = n >>> 8
  out[at + 1] = n & 0xff
  out.set(envelope, o)
  return o + envelope.length
}

const RAW_SHA256_CID = [0x01, 0x55, 0x12, 0x20]

/** The string form of a link's bytes in a bucket (linkKey's inverse): a record ID, another CID, or UTF-8 text. */
function linkOf(tag: number, bytes: Uint8Array): string {
  if (tag === 1) return fromUtf8.decode(bytes)
  if (bytes.length === 36 && RAW_SHA256_CID.every((b, i) => bytes[i] === b)) return recordIdOfDigest(bytes.subarray(4))
  return CID.decode(bytes).toString()
}

/** The meta of a record value. Throws on a value too short for what its meta says it holds. */
export function metaOfValue(v: Uint8Array): RecordMeta {
  const end = 2 + ((v[0]! << 8) | v[1]!)
  if (end > v.length || end < 11) throw new Error('record value: meta out of bounds')
  const created = readCreated(v, 2)
  const signerEnd = 11 + v[10]!
  const meta: RecordMeta = { type: '', signer: v.slice(11, signerEnd), created }
  let o = signerEnd
  while (o < end) {
    if (v[o] === INDEX.type) { // 03 len TYPE
      const len = v[o + 1]!
      meta.type = Buffer.from(v.buffer, v.byteOffset + o + 2, len).toString('latin1')
      o += 2 + len
    } else { // 04|05 tag len link
      const n = v[o + 2]!
      const link = linkOf(v[o + 1]!, v.subarray(o + 3, o + 3 + n))
      if (v[o] === INDEX.suite) meta.suite = link
      else meta.model = link
      o += 3 + n
    }
  }
  if (o !== end || signerEnd > end) throw new Error('record value: malformed meta')
  return meta
}
/** The envelope view of a record value, without parsing the meta (same memory). */
export function envelopeOf(v: Uint8Array): Uint8Array {
  const n = (v[0]! << 8) | v[1]!
  return new Uint8Array(v.buffer, v.byteOffset + 2 + n, v.byteLength - 2 - n)
}
