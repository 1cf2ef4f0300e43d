/**
 * `npm run bench -- gossip [--records N] [--warmup W] [--latency-s S] [--forged F]`
 *
 * Six sites, one OS process each, in a ring 0-1-2-3-4-5-0 with two chords (1-5, 2-4): site 3 is 3 hops from the
 * publisher, site 0. Site processes run precompiled (bin/compiled.js), as `aip start` does. Phases, each with the
 * same signed ~1 KB BenchmarkResult records and publishing strategy:
 *   0. warm-up, AIP: W other records at 400/s, not counted (see WARMUP);
 *   1. latency, AIP: 20 records/s for 3 s (no queueing), then 200 records/s for S seconds; publish → stored at
 *      site 3, p50 / p99; the largest RSS so far is `rss_mb_max_moderate` (steady operation);
 *   2. throughput, AIP: site 0 publishes N records unthrottled (a window of concurrent publishes); rate = N / time
 *      until the last is stored at site 3; `rss_mb_max` is the largest RSS of any phase (the flood's backlog);
 *   3. forged, AIP: site 5 (a member gone rogue) injects F forged records (bad signature; signed by an
 *      uncertified key) straight into gossipsub; we count how many any honest site stored;
 *   (run before phase 3, in this order:)
 *   3a. paced capacity, AIP (issue 17): phase 2's rate, paced, for the relative loads' duration; the rate at which
 *      records reach site 3 is `capacity_paced_per_s` (paced arrivals make smaller group commits than an unthrottled
 *      window, so a paced load may not sustain the unthrottled rate); `capacity_per_s` is the lower of the two;
 *   3b. relative loads, AIP (issue 17): 30 % and 60 % of `capacity_per_s`, paced; p99 publish → stored at site 3;
 *      at 60 % also the CPU per record per site, the records per synced batch (against the throughput phase's) and
 *      the slowest site's p50 and p99 synced-batch time (`store_batch_p50_ms_at_60pct`, `store_batch_p99_ms_at_60pct`:
 *      what one fsync costs a hop; a record at site 3 waited for at least three);
 *   3c. overload, AIP: a flood paced at 2× the saturation rate (phase 2's, `records_per_s`: twice the paced capacity
 *      may not overload a site at all) for --flood-s seconds (30); then each site runs sync rounds
 *      with its neighbours until every site holds every record the publisher accepted: `overload_converged_ms`
 *      (from the flood's last publish), `overload_accepted_lost` (still missing at CONVERGE_TIMEOUT_MS),
 *      `overload_rss_mb_max`; `rss_mb_max` covers every phase; what the sites shed by network-v1 §7.1 (at arrival, at
 *      their turn) or refused with a full queue budget (§7): `overload_shed_at_arrival`, `overload_shed_at_turn`,
 *      `overload_refused_queue_full`;
 *   4. warm-up and throughput, baseline: plain gossipsub (StrictNoSign, no validation, no store), new processes,
 *      same records.
 * Before the sites start, the harness measures in-process what a site must do per record beyond gossipsub
 * (`necessary_us_per_record`: decode + validate incl. verify, plus the durable store put) and reports
 * `cpu_vs_necessary` = AIP CPU per record per site ÷ (baseline's + necessary); goal ≤ 1.10. The machine may be
 * shared: every goal is a ratio or a load relative to this run, and the JSON records the load average.
 * --quick runs every phase shorter (800 records, 2,000 warm-up, 3 s latency, 4 s relative loads, 6 s flood).
 * Prints a table, then one JSON line.
 * Profiling: AIP_BENCH_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof" adds node flags to every site process
 * (node refuses --cpu-prof in NODE_OPTIONS). Under saturation a wall-clock profile charges descheduled time to
 * whatever ran last; `perf record -F 1999 -- node --import tsx scripts/bench.ts gossip` with
 * AIP_BENCH_EXEC_ARGV=--perf-basic-prof samples CPU time instead. AIP_BENCH_DEBUG=1 prints each site's deepest
 * validation queue, its slowest batch and what it shed; AIP_BENCH_HEAP_SNAPSHOT_MB=N writes a heap snapshot of each
 * site the first time its RSS passes N MB.
 * Memory (network-v1 §7.1 memory budget): the table before the JSON shows, for each AIP site, where its memory was
 * when its RSS peaked (process.memoryUsage(), resident memory by kind of mapping, the door's queues, gossipsub's
 * caches and stream buffers, the store's write queue); `memory_at_peak` in the JSON is the highest site's.
 */
import '../node/polyfill.ts'
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import sodium from 'sodium-native'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { compiled } from '../bin/compiled.js'
import { messageIdOf, messageIdToString } from '../node/net/topics.ts'
import { RecordStore } from '../node/index.ts'
import { decodeRecord, parseEnvelope, recordId, sigStructure } from '../protocol/index.ts'
import type { DecodedRecord } from '../protocol/index.ts'
import { benchFederation } from './gossip/records.ts'
import type { Cmd, Reply } from './gossip/ipc.ts'

const { values: args } = parseArgs({ options: {
  records: { type: 'string' }, 'latency-s': { type: 'string' }, forged: { type: 'string', default: '60' },
  window: { type: 'string', default: '64' }, warmup: { type: 'string' }, 'flood-s': { type: 'string' },
  quick: { type: 'boolean', default: false },
} })
/** --quick: the same phases, shorter (for a loaded machine or a smoke run); the JSON says `quick: true`. */
const QUICK = args.quick === true
args.records ??= QUICK ? '800' : '2000'
args['latency-s'] ??= QUICK ? '3' : '5'
args.warmup ??= QUICK ? '2000' : '6000'
args['flood-s'] ??= QUICK ? '6' : '30'
/** Seconds of each relative-load phase (30 % and 60 % of the measured capacity). */
const RELATIVE_S = QUICK ? 4 : 8
/** The overload phase: a flood paced at OVERLOAD_FACTOR × the measured saturation rate for FLOOD_S seconds (issue 17). */
const OVERLOAD_FACTOR = 2
const FLOOD_S = Number(args['flood-s'])
/** How long every site may take, after the flood, to hold every record the publisher accepted (via sync). */
const CONVERGE_TIMEOUT_MS = 60_000
const N = Number(args.records)
const LATENCY_RATE = 200
const LATENCY_N = Math.round(Number(args['latency-s']) * LATENCY_RATE)
/** A light load, measured too: the pipeline's own latency when no queue builds up (this machine may not sustain 200/s). */
const LIGHT_RATE = 20
const LIGHT_N = 60
const FORGED = Number(args.forged)
const WINDOW = Number(args.window)
/**
 * Records published at WARMUP_RATE per second before anything is measured, in both modes: a fresh process runs its
 * hot paths in V8's interpreter and baseline tiers while TurboFan compiles them on helper threads. perf on this
 * bench: ~60% of a cold site's helper-thread CPU was TurboFan, still ~12% of all its CPU between records 2,000 and
 * 6,000; unthrottled, the AIP rate rose from ~600/s (cold) to ~900/s after 2,000 records and ~1,000/s after 6,000. A
 * site node runs for months; the sustained rate is the warm one. Paced (not a flood), so no backlog builds up and
 * the RSS of the moderate phases that follow is that of a site in steady operation.
 */
const WARMUP = Number(args.warmup)
const WARMUP_RATE = 400
/**
 * V8 flags of every site process, AIP and baseline alike: a 4 MB semi-space caps the young generation at ~8 MB
 * instead of node's 32 MB, which a site otherwise keeps committed even when idle (v8.getHeapSpaceStatistics:
 * new_space 32 MB after startup). Same run, this machine, sites then still run through tsx: rss_mb_idle
 * 150 -> 124, rss_mb_max 213 -> 186, CPU per record within noise; with today's precompiled sites 8 or 16 MB gave a
 * higher peak. Operators get the same with `NODE_OPTIONS=--max-semi-space-size=4 aip start`.
 */
const SITE_V8_FLAGS = ['--max-semi-space-size=4']
/**
 * The environment of every site process, AIP and baseline alike: glibc gives each thread that allocates its own
 * malloc arena (up to 8 per core), and LevelDB's reads and synced writes run on libuv's pool threads and LevelDB's
 * compaction thread, each arena keeping what it freed. Two arenas: a site's peak RSS in the flood ~15–20 MB lower
 * (same flood, this machine: non-V8 anonymous memory ~60 MB instead of ~75–85; node/README.md § Memory).
 * Operators get the same with `MALLOC_ARENA_MAX=2 aip start`.
 */
const SITE_ENV = { ...process.env, MALLOC_ARENA_MAX: '2' }
const SITES = 6
const PUBLISHER = 0
const FARTHEST = 3
const FORGER = 5
/** Ring plus chords 1-5 and 2-4: each edge dialled by its lower site. */
const EDGES: Array<[number, number]> = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [0, 5], [1, 5], [2, 4]]

class Site {
  private waiting: Array<(r: Reply) => void> = []
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (r: Reply) => {
      if (r.ev === 'error') {
        console.error('site error:', r.message)
        process.exit(1)
      }
      this.waiting.shift()?.(r)
    })
    proc.on('exit', (code) => {
      if (this.waiting.length > 0 || (code !== 0 && code !== null)) {
        console.error(`a site process exited (code ${code}) while the benchmark needed it`)
        process.exit(1)
      }
    })
  }
  ask<E extends Reply['ev']>(cmd: Cmd, _ev: E): Promise<Extract<Reply, { ev: E }>> {
    return new Promise((resolve) => {
      this.waiting.push((r) => resolve(r as Extract<Reply, { ev: E }>))
      this.proc.send(cmd)
    })
  }
}

/** Largest RSS of a freshly started site process, before any traffic (MB), by mode. */
const idleRss: Record<string, number> = {}
/** The Ed25519 verifier each site process loaded (protocol/keys.ts VERIFIER). */
const verifiers = new Set<string>()
/** CPU share of one idle site (mesh formed, no traffic), by mode. */
const idleCpu: Record<string, number> = {}

/** The site program, precompiled like `aip start` (bin/compiled.js): no tsx loader in the measured processes. */
const siteModule = await compiled('bench/gossip/site.ts', 'bench-gossip-site')

async function startSites(mode: 'aip' | 'baseline', dirs: string[]): Promise<Site[]> {
  const sites = dirs.map(() => new Site(fork(new URL(siteModule), [], { env: SITE_ENV, execArgv: [...SITE_V8_FLAGS, ...(process.env.AIP_BENCH_EXEC_ARGV ?? '').split(' ').filter(Boolean)], stdio: ['ignore', process.env.AIP_BENCH_SITE_STDOUT !== undefined ? 'inherit' : 'ignore', 'inherit', 'ipc'] })))
  const ready = await Promise.all(sites.map((s, i) => s.ask({ cmd: 'start', mode, dir: dirs[i] }, 'ready')))
  idleRss[mode] = Math.max(...ready.map((r) => r.rss)) / 2 ** 20
  verifiers.add(ready.map((r) => r.verifier).join())
  for (let i = 0; i < SITES; i++) {
    const addrs = EDGES.filter(([a]) => a === i).map(([, b]) => `${ready[b].addr.split('/p2p/')[0]}/p2p/${ready[b].peerId}`)
    if (addrs.length > 0) await sites[i].ask({ cmd: 'dial', addrs }, 'dialed')
  }
  const degree = (i: number): number => EDGES.filter(([a, b]) => a === i || b === i).length
  let mesh: Array<Extract<Reply, { ev: 'mesh' }>> = []
  for (let t = 0; t < 200; t++) {
    mesh = await Promise.all(sites.map((s) => s.ask({ cmd: 'mesh' }, 'mesh')))
    if (mesh.every((m, i) => m.subscribers >= degree(i) && m.admitted >= degree(i) && m.mesh >= Math.min(degree(i), 2))) break
    await new Promise((r) => setTimeout(r, 100))
  }
  console.error(`${mode}: mesh ${JSON.stringify(mesh.map((m) => [m.admitted, m.subscribers, m.mesh]))}`)
  await new Promise((r) => setTimeout(r, 1500)) // a heartbeat or two so every mesh is complete
  const t0 = await totals(sites)
  await new Promise((r) => setTimeout(r, 3000))
  idleCpu[mode] = ((await totals(sites)).cpuMs - t0.cpuMs) / 3000 / SITES
  console.error(`${mode}: idle CPU per site ${(idleCpu[mode] * 100).toFixed(1)}%`)
  return sites
}

async function stopSites(sites: Site[]): Promise<void> {
  await Promise.all(sites.map((s) => s.ask({ cmd: 'stop' }, 'stopped')))
}

/** Waits until the farthest site has every id (or `timeoutMs` passes); returns arrival times by id. */
async function collect(site: Site, ids: string[], timeoutMs: number): Promise<Map<string, number>> {
  const got = new Map<string, number>()
  const want = new Set(ids)
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    for (const [id, t] of (await site.ask({ cmd: 'arrivals' }, 'arrivals')).arrivals) if (want.has(id)) got.set(id, t)
    if (got.size === want.size) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return got
}

/** CPU ms and store batches of all sites so far, and each site's synced-batch durations since the phase began. */
async function totals(sites: Site[]): Promise<{ cpuMs: number, batches: number, batchMs: Array<{ p50: number, p99: number, max: number }> }> {
  const all = await Promise.all(sites.map((s) => s.ask({ cmd: 'stats' }, 'stats')))
  return { cpuMs: all.reduce((a, s) => a + s.cpuMs, 0), batches: all.reduce((a, s) => a + s.batches, 0), batchMs: all.map((s) => s.batchMs) }
}

/**
 * Hands the publisher its records PUBLISH_CHUNK at a time (each chunk at `rate`, or unthrottled with the window), so
 * the harness never holds more than a chunk of records in the publisher's memory: its RSS is the site's, not the
 * benchmark's (6,000 base64 records in one IPC message held ~20 MB of the publisher's heap).
 */
const PUBLISH_CHUNK = 500
async function publishAll(site: Site, records: string[], rate: number): Promise<{ ids: string[], times: number[] }> {
  const ids: string[] = []
  const times: number[] = []
  for (let i = 0; i < records.length; i += PUBLISH_CHUNK) {
    const pub = await site.ask({ cmd: 'publish', records: records.slice(i, i + PUBLISH_CHUNK), rate, window: WINDOW }, 'published')
    ids.push(...pub.ids)
    times.push(...pub.times)
  }
  return { ids, times }
}

interface Throughput { delivered: number, perS: number, cpuUsPerRecordPerSite: number, recordsPerBatch: number }

async function throughput(sites: Site[], records: string[]): Promise<Throughput> {
  await Promise.all(sites.map((x) => x.ask({ cmd: 'arrivals' }, 'arrivals'))) // reset (every site keeps its own)
  const t0 = await totals(sites)
  const pub = await publishAll(sites[PUBLISHER], records, 0)
  const got = await collect(sites[FARTHEST], pub.ids, 60_000)
  const last = Math.max(...got.values())
  await new Promise((r) => setTimeout(r, 200)) // the farthest site's neighbours finish relaying
  const t1 = await totals(sites)
  const cpuUs = (t1.cpuMs - t0.cpuMs) * 1000 / SITES / records.length
  const recordsPerBatch = t1.batches === t0.batches ? 0 : (records.length * SITES) / (t1.batches - t0.batches)
  return { delivered: got.size, perS: got.size / ((last - pub.times[0]) / 1000), cpuUsPerRecordPerSite: Math.round(cpuUs), recordsPerBatch: Number(recordsPerBatch.toFixed(1)) }
}

/**
 * What a site must do per record beyond plain gossipsub (issue 17 §1), measured in this process on this machine in
 * this run, CPU µs per record: the raw Ed25519 verify (libsodium), decodeRecord (size, envelope, canonical decode,
 * schema, signature: the stateless §6.1 checks; the trust lookup adds well under 1 µs), and the durable store put with
 * its indexes, 64 in flight as concurrent validations issue them. necessary = decode/validate + store (the validate
 * figure already includes its verify).
 */
async function necessary(records: string[], dir: string): Promise<{ verifyUs: number, validateUs: number, storeUs: number }> {
  const bytes = records.map((r) => Uint8Array.from(Buffer.from(r, 'base64')))
  /** CPU µs of one pass of `fn`: the least of 3 measured passes after 3 warm-up passes (on a loaded machine V8's
   * optimizing compiler, on a helper thread, may finish late; the least pass is the least disturbed one). */
  const cpu = (fn: () => void): number => {
    for (let i = 0; i < 3; i++) fn()
    let best = Infinity
    for (let i = 0; i < 3; i++) {
      const c0 = process.cpuUsage()
      fn()
      const c = process.cpuUsage(c0)
      best = Math.min(best, c.user + c.system)
    }
    return best
  }
  const envs = bytes.map((b) => parseEnvelope(b))
  const msgs = envs.map((e) => sigStructure(e.protectedBytes, e.payload))
  const verifyUs = cpu(() => {
    for (let i = 0; i < envs.length; i++) if (!sodium.crypto_sign_verify_detached(envs[i]!.signature, msgs[i]!, envs[i]!.kid)) throw new Error('verify failed')
  }) / envs.length
  const decoded: DecodedRecord[] = []
  const validateUs = cpu(() => {
    decoded.length = 0
    for (const b of bytes) {
      const o = decodeRecord(b)
      if (o.action !== 'accept') throw new Error(`bench record not valid: ${o.code}`)
      decoded.push(o.record)
    }
  }) / bytes.length
  const store = await RecordStore.open(join(dir, 'necessary-store'))
  const c0 = process.cpuUsage()
  let next = 0
  await Promise.all(Array.from({ length: 64 }, async () => { while (next < decoded.length) await store.put(decoded[next++]!) }))
  const c = process.cpuUsage(c0)
  await store.close()
  return { verifyUs, validateUs, storeUs: (c.user + c.system) / decoded.length }
}

/**
 * The overload phase (issue 17 §3): the publisher floods at `rate` for `seconds`; then every site runs one round of
 * sync with its neighbours until every site holds every record the publisher accepted. Returns the time from the
 * flood's last publish to convergence (null if not within CONVERGE_TIMEOUT_MS) and how many accepted records some
 * site still lacked at the end (counted once per site).
 */
async function overload(sites: Site[], records: string[], rate: number): Promise<{ convergedMs: number | null, lost: number, gossipDelivered: number }> {
  await Promise.all(sites.map((x) => x.ask({ cmd: 'arrivals', off: true }, 'arrivals'))) // read by no one: not kept
  await publishAll(sites[PUBLISHER], records, rate)
  const end = Date.now()
  const ids = records.map((r) => recordId(Buffer.from(r, 'base64'))) // store IDs ('has'), not gossip message ids
  const missing = async (): Promise<number> => (await Promise.all(sites.map((s) => s.ask({ cmd: 'has', ids }, 'has')))).reduce((a, h) => a + ids.length - h.count, 0)
  await new Promise((r) => setTimeout(r, 1000)) // what gossip still has in flight
  const gossipDelivered = ids.length * SITES - await missing()
  let lost = await missing()
  while (lost > 0 && Date.now() - end < CONVERGE_TIMEOUT_MS) {
    for (const s of sites) await s.ask({ cmd: 'sync' }, 'synced')
    lost = await missing()
  }
  return { convergedMs: lost === 0 ? Date.now() - end : null, lost, gossipDelivered }
}

const pct = (xs: number[], p: number): number | null => (xs.length === 0 ? null : Number(xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))].toFixed(1)))

const work = await mkdtemp(join(tmpdir(), 'aip-bench-gossip-'))
try {
  const fed = await benchFederation(work, SITES, N + LATENCY_N + LIGHT_N + WARMUP, FORGED)
  const warmupRecords = fed.records.slice(N + LATENCY_N + LIGHT_N)
  /**
   * Publishes `records` from the publisher at `rate`/s; publish → stored at the farthest site (ms), sorted. `span`:
   * the first publish to the last arrival there (ms), when the phase's rate is what is measured.
   */
  const pacedSpan = async (sites: Site[], records: string[], rate: number, drainMs = 2000): Promise<{ lat: number[], spanMs: number }> => {
    await new Promise((r) => setTimeout(r, drainMs)) // let the previous phase drain
    await Promise.all(sites.map((x) => x.ask({ cmd: 'arrivals' }, 'arrivals')))
    const pub = await publishAll(sites[PUBLISHER], records, rate)
    const got = await collect(sites[FARTHEST], pub.ids, 30_000 + (records.length / rate) * 1000)
    const lat = pub.ids.flatMap((id, i) => (got.has(id) ? [got.get(id)! - pub.times[i]] : [])).sort((a, b) => a - b)
    return { lat, spanMs: got.size === 0 ? 0 : Math.max(...got.values()) - pub.times[0]! }
  }
  const paced = async (sites: Site[], records: string[], rate: number, drainMs = 2000): Promise<number[]> => (await pacedSpan(sites, records, rate, drainMs)).lat
  // ---- AIP: warm-up, moderate loads (latency; RSS in steady operation), then the unthrottled flood (throughput)
  const need = await necessary(fed.records.slice(0, Math.min(N, 1000)), work)
  const aip = await startSites('aip', fed.dirs)
  const warmed = await paced(aip, warmupRecords, WARMUP_RATE, 0)
  const light = await paced(aip, fed.records.slice(N + LATENCY_N, N + LATENCY_N + LIGHT_N), LIGHT_RATE)
  const lats = await paced(aip, fed.records.slice(N, N + LATENCY_N), LATENCY_RATE)
  const moderate = await Promise.all(aip.map((s) => s.ask({ cmd: 'stats' }, 'stats')))
  await new Promise((r) => setTimeout(r, 2000))
  const tp = await throughput(aip, fed.records.slice(0, N))
  const aipStats = await Promise.all(aip.map((s) => s.ask({ cmd: 'stats' }, 'stats')))
  // ---- the capacity a paced load can sustain (issue 17): the unthrottled flood's window fills every synced batch
  // (~30–60 records), a paced load's arrivals make small ones (~2–7), so its rate overstates what paced records can
  // keep: the same rate, paced, for RELATIVE_S; what reaches the farthest site per second is the capacity
  let seq = 2_000_000
  const pacedRecs = fed.more(seq, Math.round(tp.perS * RELATIVE_S))
  seq += pacedRecs.length
  const { lat: pacedLat, spanMs: pacedSpanMs } = await pacedSpan(aip, pacedRecs, Math.round(tp.perS))
  const pacedPerS = pacedSpanMs === 0 ? 0 : pacedLat.length / (pacedSpanMs / 1000)
  // ---- loads relative to the capacity this run measured (issue 17): 30 % and 60 % of it
  const capacity = Math.min(tp.perS, pacedPerS)
  /** Each relative load's latencies, and what a record cost each site there: CPU µs and records per synced batch. */
  const relative = async (share: number): Promise<{ lat: number[], cpuUs: number, perBatch: number, batchP50Ms: number, batchP99Ms: number }> => {
    const rate = Math.max(1, Math.round(capacity * share))
    const recs = fed.more(seq, Math.round(rate * RELATIVE_S))
    seq += recs.length
    await new Promise((r) => setTimeout(r, 2000)) // let the previous phase drain (paced then waits 0)
    const t0 = await totals(aip)
    const lat = await paced(aip, recs, rate, 0)
    const t1 = await totals(aip)
    return {
      lat, cpuUs: Math.round((t1.cpuMs - t0.cpuMs) * 1000 / SITES / recs.length), perBatch: Number(((recs.length * SITES) / Math.max(1, t1.batches - t0.batches)).toFixed(1)),
      batchP50Ms: Math.max(...t1.batchMs.map((b) => b.p50)), batchP99Ms: Math.max(...t1.batchMs.map((b) => b.p99)),
    }
  }
  const r30 = await relative(0.3)
  const r60 = await relative(0.6)
  const at30 = r30.lat
  const at60 = r60.lat
  // ---- overload: a flood at 2× capacity, then recovery by sync — before the forged phase, which gets site 5
  // graylisted and cut off by the honest sites (it could then neither receive the flood nor sync)
  // twice the saturation rate (the unthrottled one, phase 2): twice the paced capacity may not overload at all
  const floodRate = Math.max(1, Math.round(tp.perS * OVERLOAD_FACTOR))
  const floodRecords = fed.more(seq, Math.round(floodRate * FLOOD_S))
  seq += floodRecords.length
  await new Promise((r) => setTimeout(r, 2000))
  const preFlood = await Promise.all(aip.map((s) => s.ask({ cmd: 'stats' }, 'stats')))
  const over = await overload(aip, floodRecords, floodRate)
  const overStats = await Promise.all(aip.map((s) => s.ask({ cmd: 'stats' }, 'stats')))
  /** network-v1 §7.1 refusals during the overload phase, all sites: at arrival (rule 1), at the turn (rule 2), budget full (§7). */
  const shedBy = (k: 'arrival' | 'turn' | 'full'): number => overStats.reduce((a, st, i) => a + st.refused[k] - preFlood[i]!.refused[k], 0)
  await aip[FORGER].ask({ cmd: 'inject', records: fed.forged }, 'injected')
  await new Promise((r) => setTimeout(r, 2000))
  const forgedIds = fed.forgedIds
  const forgedAccepted = (await Promise.all(aip.filter((_, i) => i !== FORGER).map((s) => s.ask({ cmd: 'has', ids: forgedIds }, 'has'))))
    .reduce((a, h) => a + h.count, 0)
  const forgerCounts = await Promise.all(aip.map((s) => s.ask({ cmd: 'stats' }, 'stats')))
  await stopSites(aip)
  // ---- baseline: the same warm-up, then the flood
  const base = await startSites('baseline', fed.dirs)
  await paced(base, warmupRecords, WARMUP_RATE, 0)
  await new Promise((r) => setTimeout(r, 2000))
  const bt = await throughput(base, fed.records.slice(0, N))
  const baseStats = await Promise.all(base.map((s) => s.ask({ cmd: 'stats' }, 'stats')))
  await stopSites(base)

  const sentPerRecordPerSite = aipStats.reduce((a, s) => a + s.bytesSent, 0) / SITES / (N + LATENCY_N + LIGHT_N + WARMUP)
  const rssBeforeFlood = Math.max(...aipStats.map((s) => s.rssMax), ...forgerCounts.map((s) => s.rssMax)) / 2 ** 20
  const rssMax = Math.max(rssBeforeFlood, ...overStats.map((s) => s.rssMax / 2 ** 20))
  /** The site whose RSS peaked highest over every AIP phase, and where its memory was then (site.ts `breakdown`). */
  const peakSite = forgerCounts.reduce((a, b) => (b.rssMax > a.rssMax ? b : a))
  const rejects = forgerCounts.filter((_, i) => i !== FORGER).map((s) => Object.entries(s.counts).filter(([k]) => k.startsWith('reject/') || k.startsWith('ignore/')).map(([k, v]) => `${k}=${v}`).join(' '))
  const result = {
    sites: SITES,
    published: N,
    delivered_farthest: tp.delivered,
    warmup_records: WARMUP,
    warmup_per_s: WARMUP_RATE,
    warmup_delivered: warmed.length,
    records_per_s: Math.round(tp.perS),
    baseline_records_per_s: Math.round(bt.perS),
    vs_baseline: Number((tp.perS / bt.perS).toFixed(3)),
    latency_load_per_s: LATENCY_RATE,
    latency_records: LATENCY_N,
    latency_delivered: lats.length,
    p50_ms: pct(lats, 50),
    p99_ms: pct(lats, 99),
    light_load_per_s: LIGHT_RATE,
    light_p50_ms: pct(light, 50),
    light_p99_ms: pct(light, 99),
    cpu_us_per_record_per_site: tp.cpuUsPerRecordPerSite,
    baseline_cpu_us_per_record_per_site: bt.cpuUsPerRecordPerSite,
    records_per_store_batch: tp.recordsPerBatch,
    bytes_sent_per_record_per_site: Math.round(sentPerRecordPerSite),
    baseline_bytes_sent_per_record_per_site: Math.round(baseStats.reduce((a, s) => a + s.bytesSent, 0) / SITES / (N + WARMUP)),
    rss_mb_max: Number(rssMax.toFixed(1)),
    rss_mb_idle: Number(idleRss.aip.toFixed(1)),
    rss_mb_max_moderate: Number((Math.max(...moderate.map((x) => x.rssMax)) / 2 ** 20).toFixed(1)),
    validation_queue_max: Math.max(...aipStats.map((s) => s.queueMax)),
    baseline_rss_mb_max: Number((Math.max(...baseStats.map((s) => s.rssMax)) / 2 ** 20).toFixed(1)),
    forged_published: FORGED,
    forged_accepted: forgedAccepted,
    necessary_verify_us: Number(need.verifyUs.toFixed(1)),
    necessary_validate_us: Number(need.validateUs.toFixed(1)),
    necessary_store_us: Number(need.storeUs.toFixed(1)),
    necessary_us_per_record: Number((need.validateUs + need.storeUs).toFixed(1)),
    cpu_vs_necessary: Number((tp.cpuUsPerRecordPerSite / (bt.cpuUsPerRecordPerSite + need.validateUs + need.storeUs)).toFixed(3)),
    capacity_per_s: Math.round(capacity),
    capacity_paced_per_s: Math.round(pacedPerS),
    p99_ms_at_capacity_paced: pct(pacedLat, 99),
    p99_ms_at_30pct: pct(at30, 99),
    delivered_at_30pct: at30.length,
    p99_ms_at_60pct: pct(at60, 99),
    delivered_at_60pct: at60.length,
    cpu_us_per_record_per_site_at_60pct: r60.cpuUs,
    records_per_store_batch_at_60pct: r60.perBatch,
    store_batch_p50_ms_at_60pct: r60.batchP50Ms,
    store_batch_p99_ms_at_60pct: r60.batchP99Ms,
    p50_ms_at_60pct: pct(at60, 50),
    overload_per_s: floodRate,
    overload_s: FLOOD_S,
    overload_records: floodRecords.length,
    overload_gossip_delivered_share: Number((over.gossipDelivered / (floodRecords.length * SITES)).toFixed(3)),
    overload_rss_mb_max: Number((Math.max(...overStats.map((s) => s.rssMax)) / 2 ** 20).toFixed(1)),
    overload_shed_at_arrival: shedBy('arrival'),
    overload_shed_at_turn: shedBy('turn'),
    overload_refused_queue_full: shedBy('full'),
    overload_accepted_lost: over.lost,
    overload_converged_ms: over.convergedMs,
    memory_at_peak: peakSite.atPeak,
    /** Lost edges the sites re-dialled up to the overload phase's end (bench/gossip/site.ts; the forged phase bars site 5). */
    site_redials: overStats.reduce((a, st) => a + st.redials, 0),
    load_average_1m: Number(loadavg()[0]!.toFixed(2)),
    cores: availableParallelism(),
    quick: QUICK,
  }
  const goals: Record<string, string> = {
    records_per_s: '≥ 1000 (issue 4)', vs_baseline: '≥ 0.5 (issue 17)', p99_ms: '≤ 100 (at 200/s)', forged_accepted: '= 0', rss_mb_max: '≤ 150',
    rss_mb_max_moderate: '≤ 150', cpu_vs_necessary: '≤ 1.10', p99_ms_at_30pct: '≤ 100', p99_ms_at_60pct: '≤ 250',
    overload_rss_mb_max: '≤ 150', overload_accepted_lost: '= 0', overload_converged_ms: '≤ 30000',
  }
  console.log('\nAIP gossip benchmark: 6 sites (one process each), ring + 2 chords, farthest site 3 hops away\n')
  console.log('| figure | value | goal |\n|---|---|---|')
  for (const [k, v] of Object.entries(result)) console.log(`| ${k} | ${typeof v === 'object' && v !== null ? JSON.stringify(v) : v} | ${goals[k] ?? ''} |`)
  console.log('\nWhere each AIP site\'s memory was at its peak RSS (MB; queues and caches in entries; network-v1 §7.1 budget):\n')
  const cols = Object.keys(forgerCounts[0]!.atPeak)
  console.log(`| site | ${cols.join(' | ')} |\n|${'---|'.repeat(cols.length + 1)}`)
  for (const [i, st] of forgerCounts.entries()) console.log(`| ${i} | ${cols.map((k) => st.atPeak[k]).join(' | ')} |`)
  console.log(`\nnon-accept outcomes at honest sites after the forged phase: ${rejects.join(' ; ')}`)
  console.log(`Ed25519 verifier at the sites: ${[...new Set([...verifiers].join().split(','))].join(', ')}`)
  console.log(`record size: ${Buffer.from(fed.records[0], 'base64').length} bytes; message id check: ${messageIdToString(messageIdOf(Buffer.from(fed.records[0], 'base64'))).slice(0, 12)}…`)
  console.log(JSON.stringify(result))
} finally {
  await rm(work, { recursive: true, force: true })
}
