/**
 * Migration of a record store written in an older layout (keys.ts) to the current one, on open. Format 1 (no version
 * key: 'm!ID' meta next to 'r!ID' envelope) and format 2 ('v!format' = '2': 'r!ID' = meta + envelope) both had ASCII
 * string keys; each old record is rewritten in synced batches of MIGRATE_BATCH records — its new entries put, every
 * old entry of it deleted, in one batch — so a crash leaves each record either old or new, never half, and the next
 * open resumes where it stopped (the version key is written last). Tombstones follow; a tombstone whose ID is not a
 * record ID names nothing a store can hold and is dropped. Format 3 had today's keys and a JSON meta: each record's
 * value is rewritten with the binary meta, MIGRATE_BATCH records per synced batch that also records, under
 * 'v!migrate', the last key it rewrote — where the next open resumes.
 */
import type { Level } from 'level'
import { recordDigest } from '../../protocol/index.ts'
import type { RecordMeta } from './keys.ts'
import { FORMAT_KEY, RECORD, STORE_FORMAT, TOMBSTONE, digestKey, envelopeOf, indexKeys, recordValue } from './keys.ts'

/** Records rewritten per synced batch when an older store is migrated. */
export const MIGRATE_BATCH = 500

type Db = Level<Uint8Array, Uint8Array>

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'))
const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
const fromUtf8 = new TextDecoder()
const range = (prefix: string) => ({ gte: ascii(prefix), lt: ascii(prefix + '\xff') })

/** Where a format-3 migration stopped: the last record key it rewrote (deleted when it is done). */
export const MIGRATE_PROGRESS_KEY = ascii('v!migrate')

/** The meta formats 1–3 wrote: JSON, the signer in hex. */
interface JsonMeta {
  type: string
  signer: string
  created: number
  suite?: string
  model?: string
}

/** A JSON meta (formats 1–3) as the current meta. */
function metaOfJson(json: Uint8Array): RecordMeta {
  const m = JSON.parse(fromUtf8.decode(json)) as JsonMeta
  const meta: RecordMeta = { type: m.type, signer: Uint8Array.from(Buffer.from(m.signer, 'hex')), created: m.created }
  if (m.suite !== undefined) meta.suite = m.suite
  if (m.model !== undefined) meta.model = m.model
  return meta
}

/** The JSON meta of a format-2 or format-3 record value (u16 length, meta JSON, envelope). */
const jsonMetaOf = (v: Uint8Array) => v.subarray(2, 2 + ((v[0]! << 8) | v[1]!))

/** The ASCII keys formats 1 and 2 wrote for a record (format 2 wrote neither m! nor s!; deleting them is harmless). */
function legacyKeys(id: string, m: JsonMeta): string[] {
  const tail = `${m.created.toString(16).padStart(14, '0')}!${id}`
  const keys = [`r!${id}`, `m!${id}`, `c!${tail}`, `t!${m.type}!${tail}`, `s!${m.signer}!${tail}`]
  if (m.suite !== undefined) keys.push(`u!${m.suite}!${tail}`)
  if (m.model !== undefined) keys.push(`o!${m.model}!${tail}`)
  return keys
}

/**
 * Migrates a store of format `from` (1, 2 or 3) to STORE_FORMAT. Format 1: every m! entry is a record to move (its
 * envelope in r!). Format 2: every r! entry is one (meta and envelope in its value). Format 3: every 01 D entry's value.
 */
export async function migrate(db: Db, from: 1 | 2 | 3): Promise<void> {
  if (from === 3) {
    while (await migrateValues(db));
    await db.batch().del(MIGRATE_PROGRESS_KEY).put(FORMAT_KEY, ascii(String(STORE_FORMAT))).write({ sync: true })
    return
  }
  while (await migrateBatch(db, from));
  for (;;) {
    const tombs = await db.iterator({ ...range('x!'), limit: MIGRATE_BATCH }).all()
    if (tombs.length === 0) break
    const batch = db.batch()
    for (const [k, v] of tombs) {
      const digest = recordDigest(text(k).slice(2))
      if (digest !== undefined) batch.put(digestKey(TOMBSTONE, digest), v)
      batch.del(k)
    }
    await batch.write({ sync: true })
  }
  await db.put(FORMAT_KEY, ascii(String(STORE_FORMAT)), { sync: true })
}

/** Moves up to MIGRATE_BATCH old records in one synced batch; false when none was left. */
export async function migrateBatch(db: Db, from: 1 | 2): Promise<boolean> {
  const batchOf = await db.iterator({ ...range(from === 1 ? 'm!' : 'r!'), limit: MIGRATE_BATCH }).all()
  if (batchOf.length === 0) return false
  const envelopes = from === 1 ? await db.getMany(batchOf.map(([k]) => ascii('r!' + text(k).slice(2)))) : []
  const batch = db.batch()
  batchOf.forEach(([k, v], i) => {
    const id = text(k).slice(2)
    const json = from === 1 ? v : jsonMetaOf(v)
    const old = JSON.parse(fromUtf8.decode(json)) as JsonMeta
    const meta = metaOfJson(json)
    const digest = recordDigest(id)
    const envelope = from === 1 ? envelopes[i] : envelopeOf(v)
    if (digest !== undefined && envelope !== undefined) {
      batch.put(digestKey(RECORD, digest), recordValue(meta, envelope))
      for (const key of indexKeys(digest, meta)) batch.put(key, new Uint8Array(0))
    }
    for (const key of legacyKeys(id, old)) batch.del(ascii(key))
  })
  await batch.write({ sync: true })
  return true
}

/**
 * Rewrites up to MIGRATE_BATCH format-3 record values (JSON meta) with the binary meta, after the progress key, in
 * one synced batch that moves the progress key too; false when none was left. Index keys are the same in both.
 */
export async function migrateValues(db: Db): Promise<boolean> {
  const done = await db.get(MIGRATE_PROGRESS_KEY)
  const entries = await db.iterator({ gt: done ?? Uint8Array.of(RECORD), lt: Uint8Array.of(RECORD + 1), limit: MIGRATE_BATCH }).all()
  if (entries.length === 0) return false
  const batch = db.batch()
  for (const [k, v] of entries) batch.put(k, recordValue(metaOfJson(jsonMetaOf(v)), envelopeOf(v)))
  batch.put(MIGRATE_PROGRESS_KEY, entries[entries.length - 1]![0])
  await batch.write({ sync: true })
  return true
}
