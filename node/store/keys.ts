/**
 * Key layout of the record store (one level database, utf8 keys, byte values). Every key is ASCII.
 *
 *   r!ID                    → record envelope bytes (COSE_Sign1)
 *   m!ID                    → meta JSON {type, signer, created, suite?, model?}
 *   c!CREATED!ID            → ''   all records by (created, id) — the order sync reconciles over
 *   t!TYPE!CREATED!ID       → ''   by record type
 *   s!SIGNERHEX!CREATED!ID  → ''   by signer key
 *   u!SUITE!CREATED!ID      → ''   BenchmarkResults by suite CID
 *   o!MODEL!CREATED!ID      → ''   BenchmarkResults by model (ModelCommitment) CID
 *   x!ID                    → tombstone JSON {reason, at}
 *
 * CREATED is the record's `created` (ms) as 14 hex digits, so byte order = numeric order (2^53 < 16^14).
 * A record, its meta and all its index entries are written in one level batch, so they exist together or not at all.
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
export const META = 'm!'
export const TOMBSTONE = 'x!'
/** Index prefixes, by the query field they serve. */
export const INDEX = { all: 'c!', type: 't!', signer: 's!', suite: 'u!', model: 'o!' } as const
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
  const keys = [bucket('all') + tail, bucket('type', m.type) + tail, bucket('signer', m.signer) + tail]
  if (m.suite !== undefined) keys.push(bucket('suite', m.suite) + tail)
  if (m.model !== undefined) keys.push(bucket('model', m.model) + tail)
  return keys
}

/** The record ID at the end of an index key. */
export function idOfIndexKey(key: string): string {
  return key.slice(key.lastIndexOf('!') + 1)
}
