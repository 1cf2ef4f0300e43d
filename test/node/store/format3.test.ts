/**
 * Format 3 → 4 (node/store/keys.ts, migrate.ts): a real format-3 store, written here byte for byte as the format-3
 * code wrote it (record value: u16 length, meta JSON with the signer in hex, envelope; the same index keys), is
 * migrated on open to exactly the bytes a format-4 store writes for the same records, resumably.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { createRecord, generateSigningKey, parseRecordId, recordDigest } from '../../../protocol/index.ts'
import type { DecodedRecord } from '../../../protocol/index.ts'
import { RecordStore, metaOf } from '../../../node/store/store.ts'
import { MIGRATE_BATCH, MIGRATE_PROGRESS_KEY, migrateValues } from '../../../node/store/migrate.ts'
import { STORE_FORMAT } from '../../../node/store/keys.ts'
import { benchmarkResult, someId } from '../fixtures.ts'

const utf8 = new TextEncoder()
const keys = [1, 2].map((i) => generateSigningKey(new Uint8Array(32).fill(i)))
const suite = someId('suite')
const model = someId('model')

function records(n: number): DecodedRecord[] {
  return Array.from({ length: n }, (_, i) => i % 3 === 0
    ? benchmarkResult(keys[i % 2]!, 1_700_000_000_000 + 1000 * (n - i), suite, model, i) // created order ≠ ID order
    : createRecord('Retraction', { target: parseRecordId(someId(`t${i}`)), reason: `r${i}` }, keys[i % 2]!, 1_700_000_000_000 + 1000 * (n - i)))
}

/** Format 3's keys and values, as that code wrote them. */
function format3Entries(r: DecodedRecord): Array<[Uint8Array, Uint8Array]> {
  const d = recordDigest(r.id)!
  const m = metaOf(r) // the JSON meta format 3 wrote: {type, signer (hex), created, suite?, model?}
  const json = utf8.encode(JSON.stringify(m))
  const value = Buffer.concat([Uint8Array.of(json.length >> 8, json.length & 0xff), json, r.bytes])
  const t = Buffer.alloc(8)
  t.writeBigUInt64BE(BigInt(r.created))
  const link = (id: string) => Buffer.concat([Uint8Array.of(0, 36), parseRecordId(id).bytes])
  const index = [Buffer.concat([Uint8Array.of(2), t, d]), Buffer.concat([Uint8Array.of(3, r.type.length), utf8.encode(r.type), t, d])]
  if (m.suite !== undefined) index.push(Buffer.concat([Uint8Array.of(4), link(m.suite), t, d]))
  if (m.model !== undefined) index.push(Buffer.concat([Uint8Array.of(5), link(m.model), t, d]))
  return [[Buffer.concat([Uint8Array.of(1), d]), value], ...index.map((k): [Uint8Array, Uint8Array] => [k, new Uint8Array(0)])]
}

async function writeFormat3(location: string, rs: DecodedRecord[], tombstoned: string): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  const batch = db.batch()
  for (const r of rs) for (const [k, v] of format3Entries(r)) batch.put(k, v)
  const tomb = { reason: 'retracted', signer: Buffer.from(keys[0]!.publicKey).toString('hex'), at: 5, withdrew: true }
  batch.put(Buffer.concat([Uint8Array.of(6), recordDigest(tombstoned)!]), utf8.encode(JSON.stringify(tomb)))
  batch.put(utf8.encode('v!format'), utf8.encode('3'))
  await batch.write()
  await db.close()
}

/** Every entry of a level database, hex key → hex value. */
async function dump(location: string): Promise<Map<string, string>> {
  const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  const out = new Map<string, string>()
  for await (const [k, v] of db.iterator()) out.set(Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex'))
  await db.close()
  return out
}

test('a format-3 store is migrated on open to the bytes a format-4 store writes; records, lists, tombstones read as before', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-format3-'))
  try {
    const rs = records(60)
    const gone = records(61)[60]!
    await writeFormat3(join(dir, 'old'), rs, gone.id)
    const store = await RecordStore.open(join(dir, 'old'))
    try {
      assert.equal(await store.count(), rs.length)
      for (const r of rs) {
        assert.deepEqual(await store.get(r.id), r.bytes)
        const info = await store.info(r.id)
        const m = metaOf(r)
        assert.deepEqual({ ...info, signer: Buffer.from(info!.signer).toString('hex') }, { id: r.id, ...m })
      }
      const bySuite = []
      for await (const i of store.list({ suite, signer: keys[1]!.publicKey })) bySuite.push(i.id)
      assert.deepEqual(new Set(bySuite), new Set(rs.filter((r, i) => i % 3 === 0 && i % 2 === 1).map((r) => r.id)))
      const order = []
      for await (const k of store.keys()) order.push(k.id)
      assert.deepEqual(order, [...rs].sort((a, b) => a.created - b.created).map((r) => r.id))
      assert.equal(await store.put(gone), 'tombstoned') // the tombstone, by the record's own signer, still holds
      assert.deepEqual((await store.checkIntegrity()).problems, [])
    } finally {
      await store.close()
    }
    // byte for byte what format 4 writes for the same records (and the same tombstone)
    const fresh = await RecordStore.open(join(dir, 'fresh'))
    await fresh.putMany(rs)
    await fresh.addTombstone(gone.id, 'retracted', { signer: keys[0]!.publicKey, at: 5 })
    await fresh.close()
    const [migrated, written] = [await dump(join(dir, 'old')), await dump(join(dir, 'fresh'))]
    assert.equal(migrated.get(Buffer.from('v!format').toString('hex')), Buffer.from(String(STORE_FORMAT)).toString('hex'))
    // the fresh tombstone names no stored record: it did not withdraw one (format 3's was written after a refused put)
    const tombKey = '06' + Buffer.from(recordDigest(gone.id)!).toString('hex')
    migrated.delete(tombKey)
    written.delete(tombKey)
    assert.deepEqual(migrated, written)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a format-3 migration cut short resumes where it stopped: every record rewritten once, none lost', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-format3-'))
  try {
    const location = join(dir, 'store')
    const rs = records(MIGRATE_BATCH + 150)
    await writeFormat3(location, rs, someId('nothing'))
    // a crash after the first synced batch: MIGRATE_BATCH values rewritten, the progress key at the last of them
    const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    assert.equal(await migrateValues(db), true)
    assert.notEqual(await db.get(MIGRATE_PROGRESS_KEY), undefined)
    await db.close()
    const store = await RecordStore.open(location)
    try {
      assert.equal(await store.count(), rs.length)
      for (const r of rs) assert.equal((await store.info(r.id))?.type, r.type) // a value rewritten twice would not parse
      for (const r of rs) assert.deepEqual(await store.get(r.id), r.bytes)
      assert.deepEqual((await store.checkIntegrity()).problems, [])
    } finally {
      await store.close()
    }
    const left = await dump(location)
    assert.equal(left.has(Buffer.from(MIGRATE_PROGRESS_KEY).toString('hex')), false)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
