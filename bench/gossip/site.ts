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
/** Arrival time (stored / delivered) of each message id, since the last 'arrivals' command. */
let arrivals = new Map<string, number>()
/** Off during the overload phase, which reads no arrivals: the map would be the harness's memory in the site's RSS. */
let recordArrivals = true
/** process.memoryUsage() when RSS peaked (MB), printed with AIP_BENCH_DEBUG. */
const memAtMax: Record<string, number> = {}
/** Largest number of gossip messages waiting in validation or storage at once. */
let qMax = 0
const rssTimer = setInterval(() => {
  // process.memoryUsage.rss() reads the RSS alone; the full breakdown (which walks V8's heap spaces, ~1 % of a busy
  // site's CPU at 10 Hz, charged to the site being measured) only when RSS peaks
  const rss = process.memoryUsage.rss()
  const q = node?.records.queues.length ?? 0 // records from peers waiting or running in the door's queues
  if (q > qMax) qMax = q
  if (rss > rssMax) {
    if (process.env.AIP_BENCH_DEBUG !== undefined && rss > rssMax + 4 * 2 ** 20) Object.assign(memAtMax, smaps())
    rssMax = rss
    Object.assign(memAtMax, process.memoryUsage())
  }
  if (heapAtMb > 0 && rss > heapAtMb * 2 ** 20) {
    heapAtMb = 0 // once per process
    console.error(`site ${process.pid}: heap snapshot ${writeHeapSnapshot(`/tmp/aip-heap-${process.pid}.heapsnapshot`)} at rss ${Math.round(rss / 2 ** 20)} MB, queue ${q}`)
  }
}, 100)
/** AIP_BENCH_HEAP_SNAPSHOT_MB=N: the first time RSS exceeds N MB, write a heap snapshot to /tmp (diagnosis). */
let heapAtMb = Number(process.env.AIP_BENCH_HEAP_SNAPSHOT_MB ?? 0)

/**
 * AIP_BENCH_DEBUG: resident memory by kind of mapping (/proc/self/smaps), bytes: malloc's main arena ([heap]), 64 MB
 * malloc thread arenas, other anonymous mappings (V8's pages, large ArrayBuffers), and files (code).
 */
function smaps(): Record<string, number> {
  const out = { mallocMain: 0, mallocArenas: 0, anon: 0, files: 0 }
  let kind: keyof typeof out = 'anon'
  try {
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
      if (head !== null) {
        const path = head[1]!
        kind = path === '[heap]' ? 'mallocMain' : path === '' ? 'anon' : 'files'
        continue
      }
      const size = /^Size:\s+(\d+) kB/.exec(line)
      if (size !== null && kind === 'anon' && Number(size[1]) % 65536 === 0 && Number(size[1]) >= 65536) kind = 'mallocArenas'
      const rss = /^Rss:\s+(\d+) kB/.exec(line)
      if (rss !== null) out[kind] += Number(rss[1]) * 1024
    }
  } catch {
    // not Linux
  }
  return out
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
    node.store.onBatch = (ops, seconds) => { batches++; if (seconds > batchMaxS) { batchMaxS = seconds; batchMaxOps = ops } observe?.(ops, seconds) }
  } else {
    const site = await openSite(cmd.dir)
    host = await createSiteHost({
      key: site.key, listen: ['/ip4/127.0.0.1/tcp/0'], appSpecificScore: () => 0, asyncValidation: false,
      scoring: false, metrics: libp2pMetrics,
    })
    for (const t of TOPICS) host.pubsub.subscribe(t)
    host.pubsub.addEventListener('gossipsub:message', (evt) => { if (recordArrivals) arrivals.set(evt.detail.msgId, now()) })
  }
  send({ ev: 'ready', addr: host.libp2p.getMultiaddrs()[0].toString(), peerId: host.peerId.toString(), rss: process.memoryUsage().rss, verifier: VERIFIER })
}

/** Publishes with at most `window` publishes outstanding, or at `rate` per second when rate > 0. */
async function publish(records: Uint8Array[], rate: number, window: number): Promise<number[]> {
  const times = new Array<number>(records.length)
  const one = async (i: number): Promise<void> => {
    times[i] = now()
    if (node !== undefined) {
      const v = await node.publish(records[i])
      if (v.action !== 'accept') throw new Error(`own record not accepted: ${v.code}`)
    } else {
      await host.pubsub.publish(TOPIC_RESULTS, records[i])
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
        recordArrivals = cmd.off !== true
        return send({ ev: 'arrivals', arrivals: out })
      }
      case 'has': {
        const found = node === undefined ? [] : (await Promise.all(cmd.ids.map((id) => node!.store.has(id)))).filter(Boolean)
        return send({ ev: 'has', count: found.length })
      }
      case 'stats':
        if (process.env.AIP_BENCH_DEBUG !== undefined) console.error(`site ${process.pid}: queue max ${qMax}, slowest batch ${(batchMaxS * 1000).toFixed(0)} ms (${batchMaxOps} ops), memory at peak RSS (MB) ${JSON.stringify(Object.fromEntries(Object.entries(memAtMax).map(([k, v]) => [k, Math.round(v / 2 ** 20)])))} outcomes ${JSON.stringify(Object.fromEntries(node?.network.validator.counts ?? []))} refused ${JSON.stringify(node?.records.queues.refused ?? {})}`)
        return send({ ev: 'stats', bytesSent: await readBytesSent(), rssMax, cpuMs: cpuMs(), batches, queueMax: qMax, refused: { ...node?.records.queues.refused ?? { arrival: 0, turn: 0, full: 0 } }, counts: node === undefined ? {} : Object.fromEntries(node.network.validator.counts) })
      case 'sync': {
        const results = node?.sync === undefined ? [] : await node.sync.syncAll()
        return send({ ev: 'synced', fetched: results.reduce((a, r) => a + r.accepted, 0) })
      }
      case 'count':
        return send({ ev: 'count', records: node === undefined ? 0 : await node.store.count() })
      case 'stop':
        clearInterval(rssTimer)
        if (node !== undefined) await node.stop()
        else await host.libp2p.stop()
        send({ ev: 'stopped' })
        process.exit(0)
    }
  })().catch((err: unknown) => {
    send({ ev: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) })
  })
})
