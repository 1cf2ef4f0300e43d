/**
 * The store's layout version (node/store/keys.ts): a format-1 store (record, meta and signer index in separate
 * entries) and a format-2 store (ASCII string keys, record and meta in one entry) are migrated on open to the current format
 * and read as before; a store of an unknown format is refused with a clear error.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { Level } from 'level'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { RecordStore, StoreError } from '../../../node/store/store.ts'
import { MIGRATE_BATCH, migrateBatch } from '../../../node/store/migrate.ts'
import { STORE_FORMAT } from '../../../node/store/keys.ts'

const utf8 = new TextEncoder()
const hexKey = (n: number) => Buffer.alloc(32, n).toString('hex')

/** Writes n records in format 1, as the store wrote them before issue 17: record, meta, all, type, signer and suite entries. */
async function writeFormat1(location: string, n: number): Promise<Array<{ id: string; bytes: Uint8Array; signer: number; created: number }>> {
  const db = new Level<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  const out = []
  for (let i = 0; i < n; i++) {
    const bytes = utf8.encode(`format-1 record ${i}`)
    const id = CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString()
    const signer = 1 + (i % 2)
    const created = 1_700_000_000_000 + i
    const suite = 'bafkreisuite'
    const meta = { type: 'BenchmarkResult', signer: hexKey(signer), created, suite }
    const tail = `${created.toString(16).padStart(14, '0')}!${id}`
    const empty = new Uint8Array(0)
    await db.batch([
      { type: 'put', key: `r!${id}`, value: bytes },
      { type: 'put', key: `m!${id}`, value: utf8.encode(JSON.stringify(meta)) },
      { type: 'put', key: `c!${tail}`, value: empty },
      { type: 'put', key: `t!BenchmarkResult!${tail}`, value: empty },
      { type: 'put', key: `s!${hexKey(signer)}!${tail}`, value: empty },
      { type: 'put', key: `u!${suite}!${tail}`, value: empty },
    ])
    out.push({ id, bytes, signer, created })
  }
  await db.close()
  return out
}

test('a format-1 store is migrated on open: same records, lists, keys; integrity sound; entries gone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-format-'))
  try {
    const location = join(dir, 'store')
    const old = await writeFormat1(location, 1_203) // more than one migration batch
    const store = await RecordStore.open(location)
    try {
      assert.equal(await store.count(), old.length)
      assert.deepEqual(await store.get(old[7]!.id), old[7]!.bytes)
      const info = await store.info(old[8]!.id)
      assert.equal(info?.created, old[8]!.created)
      assert.equal(info?.suite, 'bafkreisuite')
      let bySigner = 0
      for await (const r of store.list({ signer: new Uint8Array(32).fill(2) })) {
        assert.equal(r.signer[0], 2)
        bySigner++
      }
      assert.equal(bySigner, old.filter((r) => r.signer === 2).length)
      let keys = 0
      for await (const _ of store.keys()) keys++
      assert.equal(keys, old.length)
      const check = await store.checkIntegrity()
      assert.deepEqual(check.problems, [])
      assert.equal(check.indexEntries, 3 * old.length) // all, type, suite: no meta, no signer index left
    } finally {
      await store.close()
    }
    // reopening a migrated store does nothing more
    const again = await RecordStore.open(location)
    assert.equal(await again.count(), old.length)
    await again.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

/** The r! value of format 2 (and 3): u16 meta length, meta JSON, envelope. */
function value2(meta: object, bytes: Uint8Array): Uint8Array {
  const m = utf8.encode(JSON.stringify(meta))
  return Uint8Array.from([m.length >> 8, m.length & 0xff, ...m, ...bytes])
}

/**
 * Writes n records and two tombstones in format 2, byte for byte as the store wrote them from issue 17's first step
 * until format 3: ASCII keys 'r!ID' (meta + envelope), 'c!CREATED!ID', 't!TYPE!CREATED!ID', 'u!SUITE!…', 'o!MODEL!…',
 * 'x!ID', and 'v!format' = '2'.
 */
async function writeFormat2(location: string, n: number) {
  const db = new Level<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  const cid = (s: string) => CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(s).digest())).toString()
  const suite = cid('suite')
  const model = cid('model')
  const out = []
  for (let i = 0; i < n; i++) {
    const bytes = utf8.encode(`format-2 record ${i}`)
    const id = CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString()
    const created = 1_700_000_000_000 + 1000 * (n - i) // created order differs from ID order
    const result = i % 3 === 0
    const type = result ? 'BenchmarkResult' : 'Retraction'
    const meta = result ? { type, signer: hexKey(1 + (i % 2)), created, suite, model } : { type, signer: hexKey(1 + (i % 2)), created }
    const tail = `${created.toString(16).padStart(14, '0')}!${id}`
    const empty = new Uint8Array(0)
    const ops: Array<{ type: 'put'; key: string; value: Uint8Array }> = [
      { type: 'put', key: `r!${id}`, value: value2(meta, bytes) },
      { type: 'put', key: `c!${tail}`, value: empty },
      { type: 'put', key: `t!${type}!${tail}`, value: empty },
    ]
    if (result) ops.push({ type: 'put', key: `u!${suite}!${tail}`, value: empty }, { type: 'put', key: `o!${model}!${tail}`, value: empty })
    await db.batch(ops)
    out.push({ id, bytes, created, type })
  }
  const gone = cid('retracted before it arrived')
  await db.put(`x!${gone}`, utf8.encode(JSON.stringify({ reason: 'retracted', signer: hexKey(1), at: 5, withdrew: true })))
  await db.put('x!not-a-record-id', utf8.encode(JSON.stringify({ reason: 'erased', at: 6 })))
  await db.put('v!format', utf8.encode('2'))
  await db.close()
  return { records: out, suite, model, gone }
}

test('a format-2 store (a real level store, string keys) is migrated on open to the current format: records, lists, keys, tombstones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-format-'))
  try {
    const location = join(dir, 'store')
    const old = await writeFormat2(location, 1_100) // more than one migration batch
    const store = await RecordStore.open(location)
    try {
      assert.equal(await store.count(), old.records.length)
      for (const r of [old.records[0]!, old.records[501]!, old.records[1_099]!]) {
        assert.deepEqual(await store.get(r.id), r.bytes)
        assert.equal(await store.has(r.id), true)
        assert.equal((await store.info(r.id))?.created, r.created)
      }
      const results = old.records.filter((r) => r.type === 'BenchmarkResult')
      const bySuite = []
      for await (const r of store.list({ suite: old.suite })) bySuite.push(r.id)
      assert.deepEqual(new Set(bySuite), new Set(results.map((r) => r.id)))
      let byModel = 0
      for await (const r of store.list({ model: old.model, type: 'BenchmarkResult' })) byModel += r.model === old.model ? 1 : 0
      assert.equal(byModel, results.length)
      let retractions = 0
      for await (const _ of store.list({ type: 'Retraction' })) retractions++
      assert.equal(retractions, old.records.length - results.length)
      // the (created, id) order sync reconciles over: created ascending
      const keys = []
      for await (const k of store.keys()) keys.push(k)
      assert.deepEqual(keys, [...old.records].sort((a, b) => a.created - b.created).map((r) => ({ created: r.created, id: r.id })))
      // tombstones: the record ID's kept (it still keeps the ID out), the one naming no record ID dropped
      const tombs = []
      for await (const t of store.tombstones()) tombs.push(t)
      assert.deepEqual(tombs.map((t) => [t.id, t.reason, t.withdrew]), [[old.gone, 'retracted', true]])
      assert.equal(await store.isTombstoned(old.gone), true)
      const check = await store.checkIntegrity()
      assert.deepEqual(check.problems, [])
      assert.equal(check.indexEntries, 2 * old.records.length + 2 * results.length)
    } finally {
      await store.close()
    }
    // no key of the old layout is left: every key is binary (first byte below ASCII) but the version key
    const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
    const left = []
    for await (const k of db.keys()) if (k[0]! >= 0x20) left.push(Buffer.from(k).toString('latin1'))
    assert.deepEqual(left, ['v!format'])
    assert.equal(Buffer.from((await db.get(utf8.encode('v!format')))!).toString(), String(STORE_FORMAT))
    await db.close()
    const again = await RecordStore.open(location)
    assert.equal(await again.count(), old.records.length)
    await again.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a migration cut short resumes on the next open: each record is old or new, none lost, none doubled', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-format-'))
  try {
    const location = join(dir, 'store')
    const old = await writeFormat2(location, 700)
    // a crash after the first synced migration batch: 500 records in format 3, 200 still in format 2, version '2'
    const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    assert.equal(await migrateBatch(db, 2), true)
    let stillOld = 0
    for await (const k of db.keys()) if (k[0] === 0x72) stillOld++ // 'r'
    assert.equal(stillOld, 700 - MIGRATE_BATCH)
    await db.close()
    const store = await RecordStore.open(location)
    try {
      assert.equal(await store.count(), 700)
      for (const r of old.records) assert.deepEqual(await store.get(r.id), r.bytes)
      assert.deepEqual((await store.checkIntegrity()).problems, [])
    } finally {
      await store.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a store of an unknown format is refused with store_format, untouched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-format-'))
  try {
    const location = join(dir, 'store')
    const db = new Level<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
    await db.put('v!format', utf8.encode('9'))
    await db.close()
    await assert.rejects(RecordStore.open(location), (e: unknown) => e instanceof StoreError && e.code === 'store_format' && /format "9"/.test(e.message))
    // refused, not locked: it can be opened again (and is refused again)
    await assert.rejects(RecordStore.open(location), (e: unknown) => e instanceof StoreError && e.code === 'store_format')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
