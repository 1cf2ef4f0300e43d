import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { leafHash, merkleRoot, verifyConsistencyProof, verifyInclusionProof } from '../../../protocol/merkle.ts'
import { bundlesOfTree, decodeBundle, encodeEntry, LogVerifier, parseEntry, tilesOfTree, tilePath } from '../../../protocol/audit/index.ts'
import type { AuditEntry } from '../../../protocol/audit/index.ts'
import { AuditLog } from '../../../node/audit/log.ts'
import { mulberry32 } from '../../../kernels/random.ts'

const entry = (i: number): AuditEntry => ({ kind: 'record', time: 1_700_000_000_000 + i, 'aip.record.id': `rec-${i}`, 'aip.record.type': 'BenchmarkResult', 'aip.record.direction': 'received', 'aip.record.outcome': 'ok' })

/** Distinct valid entries without encoding each: entry(0)'s bytes with the 8-byte time field rewritten (i < 2^32). */
const template = encodeEntry(entry(0))
const timeAt = Buffer.from(template).indexOf(Buffer.from([0x1b, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0])) + 1
const fastEntry = (i: number) => {
  const b = Uint8Array.from(template)
  Buffer.from(b.buffer).writeBigUInt64BE(BigInt(1_700_000_000_000 + i), timeAt)
  return b
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-audit-log-'))
  try {
    return await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test('appends group-commit, tiles and bundles verify, proofs verify, the edge survives a reopen', () => withDir(async (dir) => {
  const N = 70_000 // three tile levels (the tlog-tiles example size)
  let log = await AuditLog.open(join(dir, 'audit'))
  let batches = 0
  log.onBatch = () => { batches++ }
  const first = await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(entry(i))))
  assert.deepEqual(first, Array.from({ length: 300 }, (_, i) => i))
  assert.ok(batches < 300, `group commit: ${batches} batches for 300 concurrent appends`)
  await log.close()
  log = await AuditLog.open(join(dir, 'audit')) // the right edge is rebuilt from disk
  for (let i = 300; i < N; i += 10_000) await Promise.all(Array.from({ length: Math.min(10_000, N - i) }, (_, j) => log.appendEncoded(fastEntry(i + j), 0)))
  assert.equal(log.size, N)
  const all = await log.entries(0, N)
  assert.equal(all.length, N)
  const root = await log.root()
  assert.deepEqual(root, merkleRoot(all))
  assert.deepEqual(await log.root(12345), merkleRoot(all.slice(0, 12345)))

  // every tile and bundle of the tree verifies with the streaming verifier (audit-v1 §4.3)
  const v = new LogVerifier(N)
  for (const b of bundlesOfTree(N)) {
    const bundle = (await log.bundle(b.index, b.width))!
    v.addBundle(b.index, bundle, (await log.tileOfWidth(0, b.index, b.width))!)
  }
  for (const t of tilesOfTree(N).filter((t) => t.level !== 0)) v.addTile(t.level as number, t.index, (await log.tileOfWidth(t.level as number, t.index, t.width))!)
  assert.deepEqual(v.root(), root)
  assert.deepEqual(tilesOfTree(N).filter((t) => t.width < 256).map(tilePath), ['tile/0/273.p/112', 'tile/1/001.p/17', 'tile/2/000.p/1'])
  assert.equal(await log.tileOfWidth(0, 273, 113), undefined)
  assert.equal(await log.tileOfWidth(0, 274, 1), undefined)
  assert.equal(decodeBundle((await log.bundle(273, 112))!, 112).length, 112)
  assert.equal(parseEntry(all[69_999]!).time, 1_700_000_069_999)

  const rand = mulberry32(15)
  for (let k = 0; k < 20; k++) {
    const n = 1 + Math.floor(rand() * N)
    const i = Math.floor(rand() * n)
    const m = Math.floor(rand() * (n + 1))
    verifyInclusionProof(leafHash(all[i]!), i, n, await log.inclusionProof(i, n), await log.root(n))
    verifyConsistencyProof(m, n, await log.consistencyProof(m, n), await log.root(m), await log.root(n))
  }
  await log.close()
  await assert.rejects(log.append(entry(0)), { code: 'log_closed' })
}))

test('content: encrypted outside the tree, pruned by age and erased on request without changing the root', () => withDir(async (dir) => {
  const log = await AuditLog.open(join(dir, 'audit'), { contentKey: new Uint8Array(32).fill(9) })
  const i0 = await log.append(entry(0), { prompt: 'secret prompt', output: 'secret output' })
  const i1 = await log.append({ ...entry(1), time: 2_000_000_000_000 }, { prompt: 'p1', output: 'o1' })
  const root = await log.root()
  assert.deepEqual(await log.content(i0), { prompt: 'secret prompt', output: 'secret output' })
  assert.equal(await log.pruneContent(1_800_000_000_000), 1)
  assert.equal(await log.content(i0), undefined)
  assert.deepEqual(await log.content(i1), { prompt: 'p1', output: 'o1' })
  assert.equal(await log.eraseContent(i1), true)
  assert.equal(await log.content(i1), undefined)
  assert.deepEqual(await log.root(), root)
  await log.close()
  const plain = await AuditLog.open(join(dir, 'audit'))
  await plain.append(entry(2), { prompt: 'not captured', output: 'x' })
  assert.equal(await plain.content(2), undefined)
  await plain.close()
}))

test('hostile ranges get a code', () => withDir(async (dir) => {
  const log = await AuditLog.open(join(dir, 'audit'))
  await log.append(entry(0))
  await assert.rejects(async () => log.root(2), { code: 'bad_range' })
  await assert.rejects(async () => log.consistencyProof(2, 1), { code: 'bad_range' })
  await assert.rejects(async () => log.entries(0, 5), { code: 'bad_range' })
  assert.equal(await log.bundle(1, 1), undefined)
  await log.close()
}))
