import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { RecordStore, StoreError } from '../../../node/store/store.ts'
import type { StorableRecord } from '../../../node/store/store.ts'

/** Store-level records: arbitrary bytes with their true CID (the store does not validate; the record layer does). */
function rec(n: number, type = 'BenchmarkResult', signer = 1, body: unknown = {}): StorableRecord {
  const bytes = new TextEncoder().encode(`record ${n} ${type} ${signer}`)
  const id = CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString()
  return { id, bytes, type, signer: new Uint8Array(32).fill(signer), created: 1_700_000_000_000 + n, body }
}

async function withStore(fn: (store: RecordStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-'))
  const store = await RecordStore.open(join(dir, 'store'))
  try {
    await fn(store, dir)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

test('put stores once, then reports duplicates; get/has/count agree', () => withStore(async (store) => {
  const r = rec(1)
  assert.equal(await store.put(r), 'stored')
  assert.equal(await store.put(r), 'duplicate')
  assert.equal(await store.has(r.id), true)
  assert.deepEqual(await store.get(r.id), r.bytes)
  assert.equal(await store.get(rec(2).id), undefined)
  assert.deepEqual(await store.hasMany([rec(2).id, r.id, 'not-an-id', r.id]), [false, true, false, true])
  assert.equal(await store.count(), 1)
  const ids = []
  for await (const id of store.ids()) ids.push(id)
  assert.deepEqual(ids, [r.id])
}))

test('putMany in one group commit, duplicates inside the batch detected', () => withStore(async (store) => {
  const batches: number[] = []
  store.onBatch = (ops) => batches.push(ops)
  const rs = [rec(1), rec(2), rec(1), rec(3)]
  assert.deepEqual(await store.putMany(rs), ['stored', 'stored', 'duplicate', 'stored'])
  assert.deepEqual(batches, [4], 'one synced batch')
  assert.equal(await store.count(), 3)
  const { problems } = await store.checkIntegrity()
  assert.deepEqual(problems, [])
}))

test('list filters by type, signer, suite and model, ordered by created, paged with after', () => withStore(async (store) => {
  const { CID: C } = await import('multiformats/cid')
  const suite = C.parse(rec(100).id)
  const model = C.parse(rec(101).id)
  const rs = [
    rec(5, 'BenchmarkResult', 1, { suite, model }),
    rec(3, 'BenchmarkResult', 2, { suite }),
    rec(4, 'SiteCertificate', 1),
    rec(1, 'BenchmarkResult', 1, {}),
  ]
  await store.putMany(rs)
  const ids = async (q: Parameters<RecordStore['list']>[0]) => { const out = []; for await (const i of store.list(q)) out.push(i.id); return out }
  assert.deepEqual(await ids({}), [rs[3].id, rs[1].id, rs[2].id, rs[0].id])
  assert.deepEqual(await ids({ type: 'BenchmarkResult' }), [rs[3].id, rs[1].id, rs[0].id])
  assert.deepEqual(await ids({ signer: new Uint8Array(32).fill(1) }), [rs[3].id, rs[2].id, rs[0].id])
  assert.deepEqual(await ids({ signer: new Uint8Array(32).fill(1), type: 'SiteCertificate' }), [rs[2].id])
  assert.deepEqual(await ids({ suite: suite.toString() }), [rs[1].id, rs[0].id])
  assert.deepEqual(await ids({ model: model.toString() }), [rs[0].id])
  assert.deepEqual(await ids({ limit: 2 }), [rs[3].id, rs[1].id])
  assert.deepEqual(await ids({ limit: 2, after: rs[1].id }), [rs[2].id, rs[0].id])
  assert.deepEqual(await ids({ since: rec(3).created, until: rec(5).created }), [rs[1].id, rs[2].id])
  assert.deepEqual(await ids({ type: 'BenchmarkResult', since: rec(2).created }), [rs[1].id, rs[0].id])
  assert.deepEqual(await ids({ since: rec(1).created, after: rs[1].id, limit: 1 }), [rs[2].id])
  const keys = []
  for await (const k of store.keys({ since: rec(3).created })) keys.push(k)
  assert.deepEqual(keys, [rs[1], rs[2], rs[0]].map((r) => ({ created: r.created, id: r.id })))
  const info = await store.info(rs[0].id)
  assert.equal(info?.suite, suite.toString())
  assert.equal(info?.created, rs[0].created)
}))

test('a tombstone deletes the record with its index entries and refuses it later', () => withStore(async (store) => {
  const [a, b] = [rec(1), rec(2)]
  await store.putMany([a, b])
  await store.addTombstone(a.id, 'retracted')
  assert.equal(await store.has(a.id), false)
  assert.equal(await store.isTombstoned(a.id), true)
  assert.equal((await store.getTombstone(a.id))?.reason, 'retracted')
  assert.equal(await store.put(a), 'tombstoned')
  assert.equal(await store.count(), 1)
  const all = []
  for await (const i of store.list({})) all.push(i.id)
  assert.deepEqual(all, [b.id])
  const ts = []
  for await (const t of store.tombstones()) ts.push(t.id)
  assert.deepEqual(ts, [a.id])
  assert.deepEqual((await store.checkIntegrity()).problems, [])
}))

test('a tombstone and a put of the same record in one batch: the tombstone wins', () => withStore(async (store) => {
  const a = rec(7)
  const [put, tomb] = await Promise.all([store.put(a), store.addTombstone(a.id, 'erasure')])
  assert.equal(put, 'stored')
  assert.equal(tomb, 'stored')
  assert.equal(await store.has(a.id), false)
  assert.deepEqual((await store.checkIntegrity()).problems, [])
}))

test('records survive close and reopen; a second open of the same store fails as locked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-'))
  try {
    const loc = join(dir, 'store')
    const s1 = await RecordStore.open(loc)
    await s1.putMany([rec(1), rec(2)])
    await assert.rejects(RecordStore.open(loc), (e: unknown) => e instanceof StoreError && e.code === 'store_locked')
    await s1.close()
    const s2 = await RecordStore.open(loc)
    assert.equal(await s2.count(), 2)
    assert.equal(await s2.has(rec(2).id), true)
    await s2.close()
    await assert.rejects(s2.put(rec(3)), (e: unknown) => e instanceof StoreError && e.code === 'store_closed')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('malformed records are refused before any write', () => withStore(async (store) => {
  await assert.rejects(store.put({ ...rec(1), created: -1 }), (e: unknown) => e instanceof StoreError && e.code === 'bad_record')
  await assert.rejects(store.put({ ...rec(1), id: '../x' }), (e: unknown) => e instanceof StoreError && e.code === 'bad_record')
  assert.equal(await store.count(), 0)
}))

test('a signer-bound tombstone (Retraction) withdraws only that signer\'s record', () => withStore(async (store) => {
  const a = rec(1, 'BenchmarkResult', 1)
  const b = rec(2, 'BenchmarkResult', 2)
  await store.put(a)
  assert.equal(await store.addTombstone(a.id, 'retracted', { signer: new Uint8Array(32).fill(2) }), 'ignored')
  assert.equal(await store.has(a.id), true)
  assert.equal(await store.addTombstone(a.id, 'retracted', { signer: new Uint8Array(32).fill(1) }), 'stored')
  assert.equal(await store.has(a.id), false)
  // Retracted before it arrived: refused from its own signer, stored when another signer's tombstone named it.
  await store.addTombstone(b.id, 'retracted', { signer: new Uint8Array(32).fill(3) })
  assert.equal(await store.put(b), 'stored')
  assert.equal(await store.isTombstoned(b.id), false)
  const c = rec(3, 'BenchmarkResult', 4)
  await store.addTombstone(c.id, 'retracted', { signer: new Uint8Array(32).fill(4) })
  assert.equal(await store.put(c), 'tombstoned')
  assert.deepEqual((await store.checkIntegrity()).problems, [])
}))

test('after a reopen the store still knows what it holds: a stored record is a duplicate, a tombstone refuses its put', async () => {
  // the held filter (node/store/held.ts) is rebuilt from the keys on open; a put it does not hold skips the read
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-'))
  try {
    const loc = join(dir, 'store')
    const s1 = await RecordStore.open(loc)
    const stored = Array.from({ length: 50 }, (_, i) => rec(i))
    await s1.putMany(stored)
    await s1.addTombstone(rec(100).id, 'erasure')
    await s1.close()
    const s2 = await RecordStore.open(loc)
    try {
      assert.deepEqual(await s2.putMany([...stored, rec(100), rec(101)]), [...stored.map(() => 'duplicate'), 'tombstoned', 'stored'])
      assert.equal(await s2.has(rec(1).id), true)
      assert.equal(await s2.has(rec(102).id), false)
      assert.equal(await s2.count(), 51)
      assert.deepEqual((await s2.checkIntegrity()).problems, [])
    } finally {
      await s2.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
