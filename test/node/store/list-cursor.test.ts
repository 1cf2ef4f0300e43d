/**
 * Paging survives a withdrawal between pages: the cursor is the last entry's position (created, id), not the record,
 * so a record tombstoned after its page was served does not end the listing (it once did, silently).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { RecordStore, pageCursor } from '../../../node/store/store.ts'
import type { StorableRecord } from '../../../node/store/store.ts'
import { storeHandlers } from '../../../node/api/index.ts'

function rec(n: number): StorableRecord {
  const bytes = new TextEncoder().encode(`cursor record ${n}`)
  const id = CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString()
  return { id, bytes, type: 'BenchmarkResult', signer: new Uint8Array(32).fill(3), created: 1_700_000_000_000 + n, body: {} }
}

test('a record tombstoned between two pages does not end the listing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-cursor-'))
  const store = await RecordStore.open(join(dir, 'store'))
  try {
    const queries = [{}, { type: 'BenchmarkResult' }, { signer: new Uint8Array(32).fill(3) }] // three indexes
    for (const [k, q] of queries.entries()) {
      const rs = [1, 2, 3, 4, 5, 6].map((i) => rec(10 * k + i)) // after the previous rounds' records
      await store.putMany(rs)
      const { listRecords } = storeHandlers(store)
      const first = await listRecords({ ...q, limit: 2, since: rs[0].created })
      assert.deepEqual(first.records.map((r) => r.id), [rs[0].id, rs[1].id])
      assert.equal(first.next, pageCursor(rs[1]))
      assert.equal(await store.addTombstone(rs[1].id, 'erased between pages'), 'stored')
      const second = await listRecords({ ...q, limit: 2, after: first.next })
      assert.deepEqual(second.records.map((r) => r.id), [rs[2].id, rs[3].id], JSON.stringify(q))
      const rest = []
      for await (const r of store.list({ ...q, after: second.next })) rest.push(r.id)
      assert.deepEqual(rest, [rs[4].id, rs[5].id])
    }
    // an ID cursor still works while its record is stored
    const byId = []
    for await (const r of store.list({ after: rec(3).id, limit: 1 })) byId.push(r.id)
    assert.deepEqual(byId, [rec(4).id])
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
})
