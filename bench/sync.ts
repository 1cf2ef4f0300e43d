/**
 * `npm run bench -- sync [--records N] [--missing M] [--seed S]`: two real sites (libp2p on 127.0.0.1, level
 * stores) share N ~1 KB signed records; one lacks M scattered ones and pulls them over /aip/sync/1.0.0. Every byte
 * of the sync stream is counted both ways (messages and their length prefixes; not the multistream-select header,
 * Noise or Yamux framing). Goals (issue 5): converged, convergence_ms ≤ 2000, overhead_ratio ≤ 1.3.
 * Both sites run in this process, so cpu_ms (their CPU time during the session) is the figure that does not depend
 * on how busy the shared machine is; load_average_1m says how busy it was.
 * Before the run, the same ID sets go through the in-memory model (protocol/sync/simulate.ts) for a few tree
 * parameters: the comparison table of specs/sync-v1.md §9.
 * Generated records and the seeded stores are cached under tmp/sync-bench/ (gitignored), keyed by seed and size.
 */
import '../node/polyfill.ts'
import { existsSync } from 'node:fs'
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { IdSet, simulateSession, SYNC_PARAMS, decodeRecord } from '../protocol/index.ts'
import { RecordStore } from '../node/store/store.ts'
import { REPO_ROOT } from '../node/runtime.ts'
import { digestOfRecord } from '../node/sync/record-ids.ts'
import { makeRecord, startSite } from '../test/node/sync/site.ts'
import type { DecodedRecord } from '../protocol/index.ts'

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, missing: { type: 'string', default: '1000' }, seed: { type: 'string', default: 'bench-1' } } })
const N = Number(values.records)
const M = Number(values.missing)
const SEED = values.seed
const CACHE = join(REPO_ROOT, 'tmp', 'sync-bench', `${SEED}-${N}`)

/** The dataset: N signed records, generated once and cached as (u32 length, bytes)*. */
async function dataset(): Promise<Uint8Array[]> {
  const file = join(CACHE, 'records.bin')
  if (!existsSync(file)) {
    await mkdir(CACHE, { recursive: true })
    console.error(`generating ${N} signed records (cached in ${file}) ...`)
    const parts: Uint8Array[] = []
    for (let i = 0; i < N; i++) {
      const b = makeRecord(SEED, i).bytes
      const len = new Uint8Array(4)
      new DataView(len.buffer).setUint32(0, b.length)
      parts.push(len, b)
    }
    await writeFile(file, Buffer.concat(parts))
  }
  const buf = new Uint8Array(await readFile(file))
  const out: Uint8Array[] = []
  for (let o = 0; o < buf.length;) {
    const len = new DataView(buf.buffer, buf.byteOffset + o).getUint32(0)
    out.push(buf.subarray(o + 4, o + 4 + len))
    o += 4 + len
  }
  return out
}

/** Seeded choice of the M records the second site lacks (xorshift32). */
function missingSet(): Set<number> {
  let x = 0x9e3779b9
  const out = new Set<number>()
  while (out.size < M) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out.add((x >>> 0) % N)
  }
  return out
}

async function buildStore(dir: string, records: DecodedRecord[]): Promise<void> {
  const store = await RecordStore.open(join(dir, 'store'))
  for (let i = 0; i < records.length; i += 2000) await store.putMany(records.slice(i, i + 2000))
  await store.close()
}

const bytes = await dataset()
const lacking = missingSet()
const bytesMissing = [...lacking].reduce((s, i) => s + bytes[i].length, 0)

// The model: the same ID sets, in memory, for a few tree parameters.
const digests = bytes.map(digestOfRecord)
const full = IdSet.from(digests)
const partial = IdSet.from(digests.filter((_, i) => !lacking.has(i)))
const size = new Map(digests.map((d, i) => [Buffer.from(d).toString('hex'), bytes[i].length]))
console.log(`model (in memory, same sets): ${N} records, ${M} missing, ${bytesMissing} bytes missing`)
console.log('| branching | list ≤ | entry bytes | rounds | overhead bytes | ratio |')
console.log('|---|---|---|---|---|---|')
for (const [levelBits, listThreshold, listEntryBytes] of [[3, 24, 5], [4, 16, 5], [4, 32, 5], [4, 32, 6], [4, 48, 5], [5, 32, 5], [6, 48, 5]]) {
  const params = { ...SYNC_PARAMS, levelBits, listThreshold, listEntryBytes }
  const r = simulateSession(partial, full, { params, recordBytes: (d) => size.get(Buffer.from(d).toString('hex'))! })
  const total = r.queryBytes + r.replyBytes
  const mark = levelBits === SYNC_PARAMS.levelBits && listThreshold === SYNC_PARAMS.listThreshold && listEntryBytes === SYNC_PARAMS.listEntryBytes ? ' (v1)' : ''
  console.log(`| ${1 << levelBits}${mark} | ${listThreshold} | ${listEntryBytes} | ${r.stats.rounds} | ${total - r.recordBytes} | ${(total / r.recordBytes).toFixed(3)} |`)
}
console.log(`| naive: all IDs | - | 32 | 2 | ${N * 32 + M * 32} | ${((N * 32 + M * 32 + bytesMissing) / bytesMissing).toFixed(3)} |`)

// The real run: two sites over libp2p.
const fullDir = join(CACHE, 'full')
const partialDir = join(CACHE, 'partial')
if (!existsSync(join(partialDir, 'store'))) {
  console.error('seeding the two stores (cached) ...')
  const decoded = bytes.map((b) => {
    const o = decodeRecord(b)
    if (o.action !== 'accept') throw new Error(`dataset record rejected: ${o.code}`)
    return o.record
  })
  await rm(fullDir, { recursive: true, force: true })
  await rm(partialDir, { recursive: true, force: true })
  await buildStore(fullDir, decoded)
  await buildStore(partialDir, decoded.filter((_, i) => !lacking.has(i)))
}
const runDir = join(CACHE, 'run')
await rm(runDir, { recursive: true, force: true })
await cp(partialDir, runDir, { recursive: true })
const a = await startSite(fullDir)
const b = await startSite(runDir)
try {
  const before = (await b.index.snapshot()).size
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const r = await b.sync.syncWith(multiaddr(a.addr()))
  const convergenceMs = Math.round(performance.now() - t0)
  const cpu = process.cpuUsage(c0)
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000)
  const load = loadavg()[0]
  const after = await b.index.snapshot()
  const converged = after.size === N && (await b.store.count()) === N && (await a.index.snapshot()).size === N
  const exchanged = r.bytesSent + r.bytesReceived
  const out = {
    records_total: N,
    records_missing: M,
    converged,
    convergence_ms: convergenceMs,
    bytes_exchanged: exchanged,
    bytes_missing: bytesMissing,
    overhead_ratio: Number((exchanged / bytesMissing).toFixed(4)),
    rounds: r.rounds,
    bytes_initiator_to_responder: r.bytesSent,
    bytes_responder_to_initiator: r.bytesReceived,
    records_accepted: r.accepted,
    cpu_ms: cpuMs,
    load_average_1m: Number(load.toFixed(2)),
  }
  console.log('')
  console.log('| figure | value | goal |')
  console.log('|---|---|---|')
  console.log(`| records held before / after | ${before} / ${after.size} | ${N} |`)
  console.log(`| converged | ${converged} | true |`)
  console.log(`| convergence_ms | ${convergenceMs} | ≤ 2000 |`)
  console.log(`| CPU of both sites during it (ms) | ${cpuMs} | |`)
  console.log(`| machine load average (1 min; 2 cores) | ${load.toFixed(2)} | |`)
  console.log(`| rounds | ${r.rounds} | |`)
  console.log(`| bytes initiator → responder | ${r.bytesSent} | |`)
  console.log(`| bytes responder → initiator | ${r.bytesReceived} | |`)
  console.log(`| bytes_missing | ${bytesMissing} | |`)
  console.log(`| overhead_ratio | ${out.overhead_ratio} | ≤ 1.3 |`)
  console.log(JSON.stringify(out))
} finally {
  await b.stop()
  await a.stop()
  await rm(runDir, { recursive: true, force: true })
}
