/**
 * `npm run bench -- store [N]`: durable record-store throughput on this disk, ~1 KB records, every write synced.
 * Compares, in the same run: one put awaited at a time (one fsync per record), 64 puts in flight (group commit), and
 * putMany of 256. The gossip path writes like the second row (concurrent validations share synced batches).
 * store_vs_raw_put (issue 17; goal ≤ 1.5): CPU per record (user + system of this process, LevelDB's background
 * compaction threads included) of the store's durable put with its indexes, 64 in flight, ÷ a raw level put of the
 * same envelope bytes under their ID, written in synced batches of the size the store's group commit formed.
 * Both run in this process in alternating rounds, so the ratio holds on a loaded machine; the load average is
 * printed and recorded. Where the gap goes: the same raw batches again with the store's index entries (the binary
 * keys of format 3: node/store/keys.ts) — `raw_with_index_entries_cpu_us_per_record` — and with, in addition, the
 * store's duplicate/tombstone read before each batch — `raw_with_index_and_read_cpu_us_per_record`: what LevelDB itself
 * charges for the layout, against which the store's own overhead (the rest) shows.
 * Prints a table and, as its last line, one JSON object.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { Level } from 'level'
import { join } from 'node:path'
import { createRecord, generateSigningKey, parseRecordId, recordDigest } from '../protocol/index.ts'
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

/** The format-3 keys the store writes for a Retraction (node/store/keys.ts): record, all index, type index. */
function layoutKeys(r: DecodedRecord): { record: Uint8Array; tombstone: Uint8Array; index: Uint8Array[] } {
  const d = recordDigest(r.id)!
  const created = Buffer.alloc(8)
  created.writeBigUInt64BE(BigInt(r.created))
  const type = Buffer.from(r.type, 'latin1')
  return {
    record: Buffer.concat([Uint8Array.of(1), d]),
    tombstone: Buffer.concat([Uint8Array.of(6), d]),
    index: [Buffer.concat([Uint8Array.of(2), created, d]), Buffer.concat([Uint8Array.of(3, type.length), type, created, d])],
  }
}

/** CPU µs per record of raw synced batches of `perBatch` records: the envelope only, + index entries, + the read. */
async function rawCpu(dir: string, records: DecodedRecord[], perBatch: number, layout: 'raw' | 'index' | 'index+read'): Promise<number> {
  const keys = records.map(layoutKeys) // not charged: the store's own key building is part of its overhead
  const raw = new Level<string | Uint8Array, Uint8Array>(join(dir, layout), { keyEncoding: layout === 'raw' ? 'utf8' : 'view', valueEncoding: 'view' })
  await raw.open()
  const empty = new Uint8Array(0)
  const c0 = process.cpuUsage()
  for (let j = 0; j < records.length; j += perBatch) {
    if (layout === 'index+read') await raw.getMany(keys.slice(j, j + perBatch).flatMap((k) => [k.record, k.tombstone]))
    const b = raw.batch()
    for (let i = j; i < Math.min(j + perBatch, records.length); i++) {
      if (layout === 'raw') b.put(records[i]!.id, records[i]!.bytes)
      else {
        b.put(keys[i]!.record, records[i]!.bytes)
        for (const k of keys[i]!.index) b.put(k, empty)
      }
    }
    await b.write({ sync: true })
  }
  const c = process.cpuUsage(c0)
  await raw.close()
  return (c.user + c.system) / records.length
}

/** CPU µs per record of the store's put (64 in flight) and of raw level batch puts of the same bytes. */
async function cpuPair(records: DecodedRecord[]): Promise<{ store: number; raw: number; index: number; read: number; perBatch: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-bench-store-'))
  const store = await RecordStore.open(join(dir, 'store'))
  let batches = 0
  store.onBatch = () => { batches++ }
  const c0 = process.cpuUsage()
  let i = 0
  await Promise.all(Array.from({ length: 64 }, async () => { while (i < records.length) await store.put(records[i++]) }))
  const c = process.cpuUsage(c0)
  const storeUs = (c.user + c.system) / records.length
  await store.close()
  const perBatch = Math.max(1, Math.round(records.length / batches))
  const raw = await rawCpu(dir, records, perBatch, 'raw')
  const index = await rawCpu(dir, records, perBatch, 'index')
  const read = await rawCpu(dir, records, perBatch, 'index+read')
  await rm(dir, { recursive: true, force: true })
  return { store: storeUs, raw, index, read, perBatch }
}

const pairs = []
await cpuPair(make(6e12)) // warm-up (JIT), not counted
for (let r = 0; r < 3; r++) pairs.push(await cpuPair(make(5e12 + r * 1e9)))
const ratios = pairs.map((p) => p.store / p.raw).sort((a, b) => a - b)
const storeVsRaw = ratios[1]!
const storeUs = pairs.map((p) => p.store).sort((a, b) => a - b)[1]!
const rawUs = pairs.map((p) => p.raw).sort((a, b) => a - b)[1]!
const indexUs = pairs.map((p) => p.index).sort((a, b) => a - b)[1]!
const readUs = pairs.map((p) => p.read).sort((a, b) => a - b)[1]!

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
console.log(`${'store put, CPU µs/record'.padEnd(30)} ${storeUs.toFixed(1).padStart(8)}   (64 in flight, ~${pairs[1]!.perBatch} records/batch)`)
console.log(`${'raw level put, CPU µs/record'.padEnd(30)} ${rawUs.toFixed(1).padStart(8)}   (same bytes, same batch size)`)
console.log(`${'raw + index entries'.padEnd(30)} ${indexUs.toFixed(1).padStart(8)}   (the store's keys, format 3)`)
console.log(`${'raw + index entries + read'.padEnd(30)} ${readUs.toFixed(1).padStart(8)}   (and the store's getMany of record and tombstone keys)`)
console.log(`${"the store's own work".padEnd(30)} ${(storeUs - readUs).toFixed(1).padStart(8)}   (store put − the row above: promises, meta, keys, batch building)`)
console.log(`${'store_vs_raw_put'.padEnd(30)} ${storeVsRaw.toFixed(2).padStart(8)}   (median of 3 paired runs; goal ≤ 1.5)`)
console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`)
console.log(JSON.stringify({
  bench: 'store', records: N, record_bytes: bytes,
  sequential_per_s: Math.round(seq.per_s), concurrent64_per_s: Math.round(conc.per_s), put_many_per_s: Math.round(many.per_s),
  group_commit_speedup: Number((conc.per_s / seq.per_s).toFixed(2)),
  store_cpu_us_per_record: Number(storeUs.toFixed(1)), raw_put_cpu_us_per_record: Number(rawUs.toFixed(1)),
  raw_with_index_entries_cpu_us_per_record: Number(indexUs.toFixed(1)), raw_with_index_and_read_cpu_us_per_record: Number(readUs.toFixed(1)),
  store_vs_raw_put: Number(storeVsRaw.toFixed(2)), load_average_1m: Number(loadavg()[0]!.toFixed(2)),
}))
