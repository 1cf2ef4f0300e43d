/**
 * Migration of a record store written in an older layout (keys.ts) to format 3, on open. Format 1 (no version key:
 * 'm!ID' meta next to 'r!ID' envelope) and format 2 ('v!format' = '2': 'r!ID' = meta + envelope) both had ASCII
 * string keys; each old record is rewritten in synced batches of MIGRATE_BATCH records — its format-3 entries put,
 * every old entry of it deleted, in one batch — so a crash leaves each record either old or new, never half, and the
 * next open resumes where it stopped (the version key is written last). Tombstones follow; a tombstone whose ID is
 * not a record ID names nothing a store can hold and is dropped.
 */
import type { Level } from 'level'
import { recordDigest } from '../../protocol/index.ts'
import type { RecordMeta } from './keys.ts'
import { FORMAT_KEY, RECORD, STORE_FORMAT, TOMBSTONE, digestKey, indexKeys, recordValue } from './keys.ts'

/** Records rewritten per synced batch when an older store is migrated. */
export const MIGRATE_BATCH = 500

type Db = Level<Uint8Array, Uint8Array>

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'))
const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
const fromUtf8 = new TextDecoder()
const range = (prefix: string) => ({ gte: ascii(prefix), lt: ascii(prefix + '\xff') })

/** The ASCII keys formats 1 and 2 wrote for a record (format 2 wrote neither m! nor s!; deleting them is harmless). */
function legacyKeys(id: string, m: RecordMeta): string[] {
  const tail = `${m.created.toString(16).padStart(14, '0')}!${id}`
  const keys = [`r!${id}`, `m!${id}`, `c!${tail}`, `t!${m.type}!${tail}`, `s!${m.signer}!${tail}`]
  if (m.suite !== undefined) keys.push(`u!${m.suite}!${tail}`)
  if (m.model !== undefined) keys.push(`o!${m.model}!${tail}`)
  return keys
}

/**
 * Migrates a store of format `from` (1 or 2) to STORE_FORMAT. Format 1: every m! entry is a record to move (its
 * envelope in r!). Format 2: every r! entry is one (meta and envelope in its value).
 */
export async function migrate(db: Db, from: 1 | 2): Promise<void> {
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
    const head = from === 1 ? v : v.subarray(2, 2 + ((v[0]! << 8) | v[1]!))
    const meta = JSON.parse(fromUtf8.decode(head)) as RecordMeta
    const digest = recordDigest(id)
    const value = from === 1 ? (envelopes[i] === undefined ? undefined : recordValue(meta, envelopes[i])) : v
    if (digest !== undefined && value !== undefined) {
      batch.put(digestKey(RECORD, digest), value)
      for (const key of indexKeys(digest, meta)) batch.put(key, new Uint8Array(0))
    }
    for (const key of legacyKeys(id, meta)) batch.del(ascii(key))
  })
  await batch.write({ sync: true })
  return true
}
