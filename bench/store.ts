/**
 * `npm run bench -- store [N]`: durable record-store throughput on this disk, ~1 KB records, every write synced.
 * Compares, in the same run: one put awaited at a time (one fsync per record), 64 puts in flight (group commit), and
 * putMany of 256. The gossip path writes like the second row (concurrent validations share synced batches).
 *
 * store_vs_raw_put (issue 17; goal ≤ 1.5): CPU per record (user + system of this process: the JavaScript, level's
 * native calls, LevelDB's write-ahead log and memtable on the libuv threads, fsync) of the store's durable put with
 * its indexes, 64 in flight, ÷ a raw level put of the same envelope bytes under the same key (the store's record key,
 * 01 + digest), written by a chained batch per `records_per_batch` records (the size the store's group commit formed),
 * synced. Like with like: the same records, the same key and value encodings ('view': no transcoding), the same
 * batch sizes and fsyncs, a fresh database each; N records (~4 MB at the default 3 000) stay in LevelDB's memtable, so
 * neither side pays a table flush or compaction inside its window; every record is signed before any clock starts
 * (signing's garbage was collected on the store's time). Each side runs 4 times in alternating rounds (the first is a
 * warm-up), so the ratio holds on a loaded machine; the median is reported and the load average recorded.
 * Keys and values for the raw rows are built before their clock starts: building its own is part of the store's work.
 *
 * Where the store's CPU goes, the same raw batches again with:
 * - `raw_with_index_entries_cpu_us_per_record`: exactly the entries the store writes (its record value — binary meta
 *   and envelope — and its index keys, format 4: node/store/keys.ts): what LevelDB itself charges for the layout.
 *   Its ratio to the raw put, `layout_vs_raw_put`, is the floor store_vs_raw_put can reach with these indexes;
 *   `store_vs_raw_with_index` is the store's own JavaScript on top (queue, promises, meta, keys, batch building).
 * - `raw_with_index_and_read_cpu_us_per_record`: and a read of each record's and tombstone's key before each batch —
 *   what a duplicate/tombstone check by reading would add; the store skips it for IDs its held filter rules out
 *   (node/store/held.ts), i.e. every record here.
 * Prints a table and, as its last line, one JSON object.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { Level } from 'level'
import { join } from 'node:path'
import { createRecord, generateSigningKey, parseRecordId, recordDigest } from '../protocol/index.ts'
import type { DecodedRecord } from '../protocol/index.ts'
import { RecordStore } from '../node/index.ts'
import { RECORD, TOMBSTONE, digestKey, indexKeys, recordValue } from '../node/store/keys.ts'

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

/** What the store writes for a record (node/store/keys.ts): record key and value, and its index keys. */
function layoutOf(r: DecodedRecord): { key: Uint8Array; value: Uint8Array; index: Uint8Array[] } {
  const digest = recordDigest(r.id)!
  const meta = { type: r.type, signer: r.signer, created: r.created }
  return { key: digestKey(RECORD, digest), value: recordValue(meta, r.bytes), index: indexKeys(digest, meta) }
}

/** CPU µs per record of raw synced batches of `perBatch` records: the envelope only, the store's entries, + a read. */
async function rawCpu(dir: string, records: DecodedRecord[], perBatch: number, layout: 'raw' | 'index' | 'index+read'): Promise<number> {
  const entries = records.map(layoutOf) // built before the clock starts: the store's key building is its own work
  const tombstones = records.map((r) => digestKey(TOMBSTONE, recordDigest(r.id)!))
  const raw = new Level<Uint8Array, Uint8Array>(join(dir, layout), { keyEncoding: 'view', valueEncoding: 'view' })
  await raw.open()
  const empty = new Uint8Array(0)
  const c0 = process.cpuUsage()
  for (let j = 0; j < records.length; j += perBatch) {
    const end = Math.min(j + perBatch, records.length)
    if (layout === 'index+read') await raw.getMany([...entries.slice(j, end).map((e) => e.key), ...tombstones.slice(j, end)])
    const b = raw.batch()
    for (let i = j; i < end; i++) {
      const e = entries[i]!
      if (layout === 'raw') b.put(e.key, records[i]!.bytes)
      else {
        b.put(e.key, e.value)
        for (const k of e.index) b.put(k, empty)
      }
    }
    await b.write({ sync: true })
  }
  const c = process.cpuUsage(c0)
  await raw.close()
  return (c.user + c.system) / records.length
}

/** CPU µs per record of the store's put (64 in flight), then of the raw rows with the batch size it formed. */
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

const pairs: Array<Awaited<ReturnType<typeof cpuPair>>> = []
// Every round's records are signed before any clock starts: the garbage of signing them is not collected on one
// side's time.
const rounds = [6e12, 5e12, 5e12 + 1e9, 5e12 + 2e9].map(make)
await cpuPair(rounds[0]!) // warm-up (JIT), not counted
for (const records of rounds.slice(1)) pairs.push(await cpuPair(records))
const median = (f: (p: (typeof pairs)[number]) => number) => pairs.map(f).sort((a, b) => a - b)[1]!
const storeVsRaw = median((p) => p.store / p.raw)
const layoutVsRaw = median((p) => p.index / p.raw)
const storeVsIndex = median((p) => p.store / p.index)
const storeUs = median((p) => p.store)
const rawUs = median((p) => p.raw)
const indexUs = median((p) => p.index)
const readUs = median((p) => p.read)

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
console.log(`${'raw level put, CPU µs/record'.padEnd(30)} ${rawUs.toFixed(1).padStart(8)}   (the envelope under the store's record key, same batch size)`)
console.log(`${'raw + index entries'.padEnd(30)} ${indexUs.toFixed(1).padStart(8)}   (exactly the store's entries, format 4: record value with meta, index keys)`)
console.log(`${'raw + index entries + read'.padEnd(30)} ${readUs.toFixed(1).padStart(8)}   (and a getMany of record and tombstone keys: what the held filter saves)`)
console.log(`${"the store's own work".padEnd(30)} ${(storeUs - indexUs).toFixed(1).padStart(8)}   (store put − raw + index entries: queue, promises, meta, keys, batch building)`)
console.log(`${'layout_vs_raw_put'.padEnd(30)} ${layoutVsRaw.toFixed(2).padStart(8)}   (raw + index entries ÷ raw: the floor of the ratio below with these indexes)`)
console.log(`${'store_vs_raw_with_index'.padEnd(30)} ${storeVsIndex.toFixed(2).padStart(8)}   (store ÷ raw + index entries: the store's JavaScript on top of LevelDB)`)
console.log(`${'store_vs_raw_put'.padEnd(30)} ${storeVsRaw.toFixed(2).padStart(8)}   (median of 3 paired runs; goal ≤ 1.5)`)
console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`)
console.log(JSON.stringify({
  bench: 'store', records: N, record_bytes: bytes,
  sequential_per_s: Math.round(seq.per_s), concurrent64_per_s: Math.round(conc.per_s), put_many_per_s: Math.round(many.per_s),
  group_commit_speedup: Number((conc.per_s / seq.per_s).toFixed(2)),
  store_cpu_us_per_record: Number(storeUs.toFixed(1)), raw_put_cpu_us_per_record: Number(rawUs.toFixed(1)),
  raw_with_index_entries_cpu_us_per_record: Number(indexUs.toFixed(1)), raw_with_index_and_read_cpu_us_per_record: Number(readUs.toFixed(1)),
  store_vs_raw_put: Number(storeVsRaw.toFixed(2)), layout_vs_raw_put: Number(layoutVsRaw.toFixed(2)),
  store_vs_raw_with_index: Number(storeVsIndex.toFixed(2)), records_per_batch: pairs[1]!.perBatch, load_average_1m: Number(loadavg()[0]!.toFixed(2)),
}))
