/**
 * `npm run bench -- door [N]`: CPU per record of the one door (node/records/door.ts) against what it must do, in one
 * process and one run (issue 17 §2: the node's own overhead on the hot path). A site of the gossip benchmark's
 * federation admits N genuine ~1 KB BenchmarkResults from a peer (`via: 'sync'`: the family queue, the duplicate
 * lookup, validation with the trust state, the signer checks, the durable put with withdrawals, the events), 64 in
 * flight as concurrent validations run; the necessary work is decodeRecord (incl. the libsodium verify) plus the
 * store's put of the same records, 64 in flight, into a store filled like the site's. Rounds alternate; figures are medians.
 * door_vs_necessary (CPU per admitted record ÷ necessary) is the door's overhead beyond validate + store. The site's
 * store is not empty: PREFILL (default 30,000) records already stored (~1 KB of arbitrary bytes under their true IDs,
 * put straight into the store), so LevelDB reads cross tables and levels as at a site that has run for a while; the
 * necessary puts go into a second store filled the same way (like with like: decode + put into an empty store cost 134 µs
 * against 151–214 µs into a filled one in one run at load 7 — a difference that is LevelDB's, not the door's).
 * Usage: npm run bench -- door [N per round, default 2000] [PREFILL]
 * Prints a table and, as its last line, one JSON object.
 */
import '../node/polyfill.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { RecordDoor, RecordStore, openSite, sitePaths } from '../node/index.ts'
import { decodeRecord, recordId } from '../protocol/index.ts'
import type { DecodedRecord } from '../protocol/index.ts'
import { benchFederation } from './gossip/records.ts'

const N = Number(process.argv[2] ?? 2000)
const PREFILL = Number(process.argv[3] ?? 30_000)
const ROUNDS = 3
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** CPU µs per record of `fn` over `n` records. */
async function cpu(n: number, fn: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage()
  await fn()
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / n
}

/** Runs `one(i)` for i in [0, n), 64 at a time. */
async function inFlight(n: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: 64 }, async () => { while (next < n) await one(next++) }))
}

/** PREFILL records already stored: ~1 KB of arbitrary bytes under their true IDs, put straight into the store. */
async function prefill(store: RecordStore): Promise<void> {
  for (let i = 0; i < PREFILL; i += 1000) {
    await store.putMany(Array.from({ length: Math.min(1000, PREFILL - i) }, (_, j) => {
      const bytes = Buffer.alloc(1100, `prefill ${i + j} `)
      return { id: recordId(bytes), bytes, type: 'Retraction', signer: new Uint8Array(32).fill(7), created: 1_700_000_000_000 + i + j, body: {} }
    }))
  }
}

const work = await mkdtemp(join(tmpdir(), 'aip-bench-door-'))
try {
  const fed = await benchFederation(work, 2, N * (ROUNDS + 1), 0)
  const all = fed.records.map((r) => Uint8Array.from(Buffer.from(r, 'base64')))
  const site = await openSite(fed.dirs[1]!)
  const store = await RecordStore.open(sitePaths(site.dir).store)
  await prefill(store)
  // like with like: the necessary puts go into a store filled the same way (and growing by N a round, as the door's)
  const filled = await RecordStore.open(join(work, 'necessary-store'))
  await prefill(filled)
  const door = await RecordDoor.open(store, site.config.genesisCharter)
  // the publisher's certificate (in its own store), as its hello would bring it
  const publisher = await RecordStore.open(sitePaths(fed.dirs[0]!).store)
  for await (const id of publisher.ids()) await door.admit((await publisher.get(id))!, { via: 'import' })
  await publisher.close()
  const doorUs: number[] = []
  const needUs: number[] = []
  for (let r = 0; r <= ROUNDS; r++) {
    const bytes = all.slice(r * N, (r + 1) * N)
    const admitted = await cpu(N, () => inFlight(N, async (i) => {
      const o = await door.admit(bytes[i]!, { via: 'sync', peer: 'bench-peer' })
      if (o.action !== 'accept') throw new Error(`bench record not admitted: ${o.code}`)
    }))
    const decoded: DecodedRecord[] = []
    const need = await cpu(N, async () => {
      for (const b of bytes) {
        const o = decodeRecord(b)
        if (o.action !== 'accept') throw new Error(`bench record not valid: ${o.code}`)
        decoded.push(o.record)
      }
      await inFlight(N, async (i) => { await filled.put(decoded[i]!) })
    })
    if (r === 0) continue // warm-up (JIT), not counted
    doorUs.push(admitted)
    needUs.push(need)
  }
  await store.close()
  await filled.close()
  const ratio = median(doorUs.map((d, i) => d / needUs[i]!))
  console.log(`door, ${N} BenchmarkResults of ${all[0]!.length} bytes per round, 64 in flight, ${ROUNDS} rounds after a warm-up, ${PREFILL} records stored before`)
  console.log(`${'door.admit, CPU µs/record'.padEnd(34)} ${median(doorUs).toFixed(1).padStart(8)}`)
  console.log(`${'decodeRecord + store put'.padEnd(34)} ${median(needUs).toFixed(1).padStart(8)}   (what the door must do)`)
  console.log(`${'door_vs_necessary'.padEnd(34)} ${ratio.toFixed(3).padStart(8)}   (median of per-round ratios)`)
  console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`)
  console.log(JSON.stringify({
    bench: 'door', records_per_round: N, rounds: ROUNDS, prefill: PREFILL, envelope_bytes: all[0]!.length,
    door_cpu_us_per_record: Number(median(doorUs).toFixed(1)), necessary_cpu_us_per_record: Number(median(needUs).toFixed(1)),
    door_vs_necessary: Number(ratio.toFixed(3)), load_average_1m: Number(loadavg()[0]!.toFixed(2)),
  }))
} finally {
  await rm(work, { recursive: true, force: true })
}
