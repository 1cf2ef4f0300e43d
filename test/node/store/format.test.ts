/**
 * The store's layout version (node/store/keys.ts): a format-1 store (record, meta and signer index in separate
 * entries) is migrated on open and reads as before; a store of an unknown format is refused with a clear error.
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

test('a store of an unknown format is refused with store_format, untouched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-store-format-'))
  try {
    const location = join(dir, 'store')
    const db = new Level<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
    await db.put('v!format', utf8.encode('3'))
    await db.close()
    await assert.rejects(RecordStore.open(location), (e: unknown) => e instanceof StoreError && e.code === 'store_format' && /format "3"/.test(e.message))
    // refused, not locked: it can be opened again (and is refused again)
    await assert.rejects(RecordStore.open(location), (e: unknown) => e instanceof StoreError && e.code === 'store_format')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
