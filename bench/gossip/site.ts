/**
 * One site of the gossip benchmark, in its own OS process (bench/gossip.ts drives it over IPC).
 * mode 'aip': the real site node (validation, gating, durable store). mode 'baseline': plain gossipsub with
 * StrictNoSign, no application validation, no store — same records, topology and publishing strategy.
 */
import '../../node/polyfill.ts'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { multiaddr } from '@multiformats/multiaddr'
import { readFileSync } from 'node:fs'
import { writeHeapSnapshot } from 'node:v8'
import { Registry } from 'prom-client'
import { VERIFIER } from '../../protocol/index.ts'
import { createSiteHost } from '../../node/net/host.ts'
import type { SiteHost } from '../../node/net/host.ts'
import { messageIdOf, messageIdToString, TOPIC_RESULTS, TOPICS } from '../../node/net/topics.ts'
import { startSiteNode } from '../../node/site-node.ts'
import type { SiteNode } from '../../node/site-node.ts'
import { openSite } from '../../node/site/dir.ts'
import { boundHeapGrowth } from '../../node/memory.ts'
import { REDIAL_INTERVAL_MS } from '../../node/net/constants.ts'
import type { Cmd, Reply } from './ipc.ts'

boundHeapGrowth() // as `aip start` does (node/cli/start-main.ts), in both modes

const now = (): number => performance.timeOrigin + performance.now()
const send = (r: Reply): void => { process.send?.(r) }

let host: SiteHost
let node: SiteNode | undefined
let registry: Registry
let bytesSent = 0
let rssMax = 0
/** Synced store batches so far (group commits). */
let batches = 0
let batchMaxS = 0
let batchMaxOps = 0
/** Duration of each synced batch (ms) since the last 'arrivals' command: what an fsync costs in the phase measured. */
let batchMs: number[] = []
/** Arrival time (stored / delivered) of each message id, since the last 'arrivals' command. */
let arrivals = new Map<string, number>()
/** Off during the overload phase, which reads no arrivals: the map would be the harness's memory in the site's RSS. */
let recordArrivals = true
/** Largest number of gossip messages waiting in validation or storage at once. */
let qMax = 0
/** Publishes the harness has issued and the site has not finished (the publisher's own backlog). */
let publishing = 0
/** Where the memory was when RSS peaked (MB, or counts): `breakdown()`, taken when RSS passes its peak by 2 MB. */
let atPeak: Record<string, number> = {}
let atPeakRss = 0
/** The host is up (the breakdown reads it). */
let started = false
const rssTimer = setInterval(() => {
  // process.memoryUsage.rss() reads the RSS alone; the full breakdown (which walks V8's heap spaces and reads
  // /proc/self/smaps: ~1 % of a busy site's CPU at 10 Hz, charged to the site being measured) only when RSS passes
  // its peak by 2 MB
  const rss = process.memoryUsage.rss()
  const q = node?.records.queues.length ?? 0 // records from peers waiting or running in the door's queues
  if (q > qMax) qMax = q
  if (rss > rssMax) rssMax = rss
  if (started && rss > atPeakRss + 2 * 2 ** 20) {
    atPeakRss = rss
    atPeak = breakdown()
  }
  if (heapAtMb > 0 && rss > heapAtMb * 2 ** 20) {
    heapAtMb = 0 // once per process
    console.error(`site ${process.pid}: heap snapshot ${writeHeapSnapshot(`/tmp/aip-heap-${process.pid}.heapsnapshot`)} at rss ${Math.round(rss / 2 ** 20)} MB, queue ${q}`)
  }
}, 100)
/** AIP_BENCH_HEAP_SNAPSHOT_MB=N: the first time RSS exceeds N MB, write a heap snapshot to /tmp (diagnosis). */
let heapAtMb = Number(process.env.AIP_BENCH_HEAP_SNAPSHOT_MB ?? 0)

/**
 * Resident memory by kind of mapping (/proc/self/smaps), bytes: malloc's main arena ([heap]); malloc's thread arenas
 * (glibc reserves each as one 64 MB-aligned mapping, split into its used read-write part and a reserved rest — where
 * LevelDB and the libuv threads that run level's reads and writes allocate); other anonymous mappings (V8's heap, large
 * ArrayBuffers, thread stacks); and files (the node binary's code, mostly).
 */
function smaps(): Record<string, number> {
  const out = { mallocMain: 0, mallocArenas: 0, anon: 0, files: 0 }
  const maps: Array<{ start: number, end: number, perms: string, path: string, rss: number }> = []
  try {
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line)
      if (head !== null) maps.push({ start: parseInt(head[1]!, 16), end: parseInt(head[2]!, 16), perms: head[3]!, path: head[4]!, rss: 0 })
      const rss = /^Rss:\s+(\d+) kB/.exec(line)
      if (rss !== null && maps.length > 0) maps[maps.length - 1]!.rss = Number(rss[1]) * 1024
    }
  } catch {
    return out // not Linux
  }
  const ARENA = 64 * 2 ** 20
  maps.forEach((m, i) => {
    const next = maps[i + 1]
    const arena = m.path === '' && m.start % ARENA === 0 && (m.end - m.start === ARENA ||
      (next !== undefined && next.path === '' && next.start === m.end && next.perms.startsWith('---') && next.end - m.start === ARENA))
    out[m.path === '[heap]' ? 'mallocMain' : arena ? 'mallocArenas' : m.path === '' ? 'anon' : 'files'] += m.rss
  })
  return out
}

/** What gossipsub's router holds that the breakdown reads (not part of its exported interface). */
interface RouterInternals {
  mcache: { msgs: Map<string, unknown> }
  seenCache: { size: number }
  streamsOutbound: Map<string, { rawStream: { writeBufferLength: number } }>
  streamsInbound: Map<string, { rawStream: { readBufferLength: number } }>
}
interface BufferedStream { writeBufferLength?: number, readBufferLength?: number }

/**
 * Where a site's memory is (issue 17 §3): process.memoryUsage() (MB) and what holds records: the door's queues
 * (records, MB of record bytes), gossipsub's message cache and seen cache (entries), the bytes waiting in gossipsub's
 * outbound and inbound streams and in the connections under them (MB), the store's and the audit log's write queues
 * and the harness's own publishes not yet finished (records).
 */
function breakdown(): Record<string, number> {
  const mb = (b: number): number => Math.round(b / 2 ** 17) / 8
  const m = process.memoryUsage()
  const r = host.pubsub as unknown as RouterInternals
  let out = 0
  let inb = 0
  for (const s of r.streamsOutbound.values()) out += s.rawStream.writeBufferLength
  for (const s of r.streamsInbound.values()) inb += s.rawStream.readBufferLength
  let conn = 0
  for (const c of host.libp2p.getConnections()) {
    const ma = (c as unknown as { maConn?: BufferedStream }).maConn
    conn += (ma?.writeBufferLength ?? 0) + (ma?.readBufferLength ?? 0)
  }
  const families = (node?.records.queues as unknown as { families?: Map<string, { bytes: number }> } | undefined)?.families
  let queueBytes = 0
  for (const q of families?.values() ?? []) queueBytes += q.bytes
  return {
    rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers),
    doorQueue: node?.records.queues.length ?? 0, doorQueueMb: mb(queueBytes),
    mcache: r.mcache.msgs.size, seen: r.seenCache.size,
    outboundMb: mb(out), inboundMb: mb(inb), connectionsMb: mb(conn),
    storeQueue: (node?.store as unknown as { queue?: unknown[] } | undefined)?.queue?.length ?? 0,
    auditQueue: (node?.audit?.audit.log as unknown as { queue?: unknown[] } | undefined)?.queue?.length ?? 0,
    publishing,
    ...Object.fromEntries(Object.entries(smaps()).map(([k, v]) => [k, mb(v)])),
  }
}

/** p50, p99 and max of `xs` (0 when empty), ms to 0.1. */
function percentiles(xs: number[]): { p50: number, p99: number, max: number } {
  const s = [...xs].sort((a, b) => a - b)
  const at = (p: number): number => (s.length === 0 ? 0 : Number(s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1)))
  return { p50: at(0.5), p99: at(0.99), max: at(1) }
}

/** The edges this site dialled (the harness's topology): its bootstrap peers, in effect. */
const edges: string[] = []
let redialTimer: NodeJS.Timeout | undefined
/** Edges re-dialled after their connection closed. */
let redials = 0
/**
 * Re-dials a lost edge every REDIAL_INTERVAL_MS, as a site does its bootstrap peers (network-v1 §2): on a machine
 * loaded far beyond its cores a starved site can miss its peers' liveness pings, and an edge the harness dialled
 * once would otherwise stay down for the rest of the run — that site then receives nothing, by gossip or by sync.
 */
function redialEdges(): void {
  for (const a of edges) {
    const ma = multiaddr(a)
    const peer = ma.getComponents().find((c) => c.name === 'p2p')?.value
    if (peer === undefined || host.libp2p.getConnections().some((c) => c.remotePeer.toString() === peer)) continue
    redials++
    host.libp2p.dial(ma, { signal: AbortSignal.timeout(REDIAL_INTERVAL_MS * 2) }).catch(() => undefined)
  }
}

/** CPU time (user + system) this process has used, ms. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

async function readBytesSent(): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === 'libp2p_data_transfer_bytes_total')
  const v = (m as { values?: Array<{ value: number, labels: Record<string, string> }> } | undefined)?.values
    ?.find((x) => x.labels.protocol === 'global sent')?.value ?? 0
  bytesSent += v // the metric group resets on every read
  return bytesSent
}

async function start(cmd: Extract<Cmd, { cmd: 'start' }>): Promise<void> {
  registry = new Registry()
  const libp2pMetrics = process.env.AIP_BENCH_NO_METRICS !== undefined ? undefined : prometheusMetrics({ registry, collectDefaultMetrics: false })
  if (cmd.mode === 'aip') {
    node = await startSiteNode(cmd.dir, {
      // sync passive (no session on connect or on a timer): the gossip phases measure gossip alone; the overload
      // phase then asks each site for one round of sync ('sync'), the guarantee that recovers what gossip shed
      listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], api: false, sync: { onConnect: false, intervalMs: 0 }, log: () => undefined, libp2pMetrics,
      signerLimits: { ratePerS: 1e9, burst: 1e9, quotaRecords: 1e9, quotaBytes: 1e15 },
      onStored: (record) => { if (recordArrivals) arrivals.set(messageIdToString(messageIdOf(record.bytes)), now()) },
    })
    host = node.network.host
    const observe = node.store.onBatch
    node.store.onBatch = (ops, seconds) => {
      batches++
      if (batchMs.length < 100_000) batchMs.push(seconds * 1000)
      if (seconds > batchMaxS) { batchMaxS = seconds; batchMaxOps = ops }
      observe?.(ops, seconds)
    }
  } else {
    const site = await openSite(cmd.dir)
    host = await createSiteHost({
      key: site.key, listen: ['/ip4/127.0.0.1/tcp/0'], appSpecificScore: () => 0, asyncValidation: false,
      scoring: false, metrics: libp2pMetrics,
    })
    for (const t of TOPICS) host.pubsub.subscribe(t)
    host.pubsub.addEventListener('gossipsub:message', (evt) => { if (recordArrivals) arrivals.set(evt.detail.msgId, now()) })
  }
  started = true
  send({ ev: 'ready', addr: host.libp2p.getMultiaddrs()[0].toString(), peerId: host.peerId.toString(), rss: process.memoryUsage().rss, verifier: VERIFIER })
}

/** Publishes with at most `window` publishes outstanding, or at `rate` per second when rate > 0. */
async function publish(records: Uint8Array[], rate: number, window: number): Promise<number[]> {
  const times = new Array<number>(records.length)
  const one = async (i: number): Promise<void> => {
    times[i] = now()
    publishing++
    try {
      if (node !== undefined) {
        const v = await node.publish(records[i])
        if (v.action !== 'accept') throw new Error(`own record not accepted: ${v.code}`)
      } else {
        await host.pubsub.publish(TOPIC_RESULTS, records[i])
      }
    } finally {
      publishing--
    }
  }
  if (rate > 0) {
    const t0 = now()
    const pending: Array<Promise<void>> = []
    for (let i = 0; i < records.length; i++) {
      const due = t0 + (i * 1000) / rate
      const wait = due - now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      pending.push(one(i))
    }
    await Promise.all(pending)
  } else {
    let next = 0
    const worker = async (): Promise<void> => { while (next < records.length) await one(next++) }
    await Promise.all(Array.from({ length: window }, worker))
  }
  return times
}

process.on('message', (cmd: Cmd) => {
  void (async (): Promise<void> => {
    switch (cmd.cmd) {
      case 'start': return start(cmd)
      case 'dial':
        await Promise.all(cmd.addrs.map((a) => host.libp2p.dial(multiaddr(a))))
        edges.push(...cmd.addrs)
        redialTimer ??= setInterval(redialEdges, REDIAL_INTERVAL_MS)
        return send({ ev: 'dialed' })
      case 'mesh': {
        const peers = new Set<string>()
        for (const t of TOPICS) for (const p of host.pubsub.getSubscribers(t)) peers.add(p.toString())
        const mesh = (host.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(TOPIC_RESULTS).length
        const admitted = node?.network.gate.admittedPeers().length ?? host.libp2p.getPeers().length
        return send({ ev: 'mesh', subscribers: peers.size, mesh, admitted })
      }
      case 'publish': {
        const records = cmd.records.map((h) => Uint8Array.from(Buffer.from(h, 'base64')))
        const times = await publish(records, cmd.rate, cmd.window)
        if (process.env.AIP_BENCH_DEBUG !== undefined) console.error(`published ${records.length} in ${(now() - times[0]).toFixed(0)} ms`)
        return send({ ev: 'published', ids: records.map((r) => messageIdToString(messageIdOf(r))), times })
      }
      case 'inject': {
        // a hostile member: pushes records straight into gossipsub, skipping its own validation and store
        for (const h of cmd.records) await host.pubsub.publish(TOPIC_RESULTS, Uint8Array.from(Buffer.from(h, 'base64')))
        return send({ ev: 'injected' })
      }
      case 'arrivals': {
        const out = [...arrivals.entries()]
        arrivals = new Map()
        batchMs = []
        recordArrivals = cmd.off !== true
        return send({ ev: 'arrivals', arrivals: out })
      }
      case 'has': {
        const found = node === undefined ? [] : (await Promise.all(cmd.ids.map((id) => node!.store.has(id)))).filter(Boolean)
        return send({ ev: 'has', count: found.length })
      }
      case 'stats':
        if (process.env.AIP_BENCH_DEBUG !== undefined) console.error(`site ${process.pid}: queue max ${qMax}, slowest batch ${(batchMaxS * 1000).toFixed(0)} ms (${batchMaxOps} ops), memory at peak RSS ${JSON.stringify(atPeak)} outcomes ${JSON.stringify(Object.fromEntries(node?.network.validator.counts ?? []))} refused ${JSON.stringify(node?.records.queues.refused ?? {})}`)
        return send({ ev: 'stats', bytesSent: await readBytesSent(), rssMax, cpuMs: cpuMs(), batches, queueMax: qMax, atPeak, batchMs: percentiles(batchMs), redials, refused: { ...node?.records.queues.refused ?? { arrival: 0, turn: 0, full: 0 } }, counts: node === undefined ? {} : Object.fromEntries(node.network.validator.counts) })
      case 'sync': {
        const results = node?.sync === undefined ? [] : await node.sync.syncAll()
        return send({ ev: 'synced', fetched: results.reduce((a, r) => a + r.accepted, 0) })
      }
      case 'count':
        return send({ ev: 'count', records: node === undefined ? 0 : await node.store.count() })
      case 'stop':
        clearInterval(rssTimer)
        clearInterval(redialTimer)
        if (node !== undefined) await node.stop()
        else await host.libp2p.stop()
        send({ ev: 'stopped' })
        process.exit(0)
    }
  })().catch((err: unknown) => {
    send({ ev: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) })
  })
})
