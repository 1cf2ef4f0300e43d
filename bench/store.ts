/**
 * `npm run bench -- store [N]`: durable record-store throughput on this disk, ~1 KB records, every write synced.
 * Compares, in the same run: one put awaited at a time (one fsync per record), 64 puts in flight (group commit), and
 * putMany of 256. The gossip path writes like the second row (concurrent validations share synced batches).
 * Prints a table and, as its last line, one JSON object.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRecord, generateSigningKey, parseRecordId } from '../protocol/index.ts'
import type { DecodedRecord } from '../protocol/index.ts'
import { RecordStore } from '../node/index.ts'

const N = Number(process.argv[2] ?? 3000)
const key = generateSigningKey(new Uint8Array(32).fill(1))
const target = parseRecordId('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
const reason = 'x'.repeat(900)
const make = (base: number): DecodedRecord[] => Array.from({ length: N }, (_, i) => createRecord('Retraction', { target, reason }, key, base + i))

async function run(name: string, records: DecodedRecord[], write: (s: RecordStore, rs: DecodedRecord[]) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'aip-bench-store-'))
  const store = await RecordStore.open(join(dir, 'store'))
  let batches = 0
  store.onBatch = () => { batches++ }
  const t0 = performance.now()
  await write(store, records)
  const s = (performance.now() - t0) / 1000
  if ((await store.count()) !== records.length) throw new Error(`${name}: ${await store.count()} stored`)
  await store.close()
  await rm(dir, { recursive: true, force: true })
  return { name, per_s: records.length / s, records_per_batch: records.length / batches }
}

const seq = await run('sequential put (await each)', make(1e12), async (s, rs) => { for (const r of rs) await s.put(r) })
const conc = await run('64 puts in flight', make(2e12), async (s, rs) => {
  let i = 0
  await Promise.all(Array.from({ length: 64 }, async () => { while (i < rs.length) await s.put(rs[i++]) }))
})
const many = await run('putMany(256)', make(3e12), async (s, rs) => {
  for (let i = 0; i < rs.length; i += 256) await s.putMany(rs.slice(i, i + 256))
})
const bytes = make(4e12)[0].bytes.length
console.log(`record store, ${N} records of ${bytes} bytes, every batch synced (fsync)`)
for (const r of [seq, conc, many]) console.log(`${r.name.padEnd(30)} ${r.per_s.toFixed(0).padStart(8)} records/s   ${r.records_per_batch.toFixed(1).padStart(6)} records/batch`)
console.log(JSON.stringify({
  bench: 'store', records: N, record_bytes: bytes,
  sequential_per_s: Math.round(seq.per_s), concurrent64_per_s: Math.round(conc.per_s), put_many_per_s: Math.round(many.per_s),
  group_commit_speedup: Number((conc.per_s / seq.per_s).toFixed(2)),
}))
