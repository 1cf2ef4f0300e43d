/**
 * A child process hosting one or more simulated sites (process.ts): the same SimSite as in memory mode, listening on
 * the addresses the parent gave it (TCP on 127.0.0.1, plus @libp2p/memory for the other sites of this process),
 * driven by the parent's requests over IPC. Exits when the parent disconnects.
 */
import '../../node/polyfill.ts'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { ensureBundledModel } from '../../kernels/index.ts'
import { loadWeightFiles, WeightIndex, openSite } from '../../node/index.ts'
import { Rng } from '../rng.ts'
import { LinkEmulator } from './links.ts'
import type { ChildInit, ChildMessage, ChildRequest, ParentMessage, WorkerRequest, WorkerResources } from './process.ts'
import { b64, epochMs, unb64 } from './process.ts'
import { SimSite } from './site.ts'

const sites = new Map<string, Promise<SimSite>>()
/** To the parent, while it is there (a reply that outlives the parent is dropped, not thrown). */
const send = (m: ChildMessage): void => { if (process.connected) process.send?.(m, undefined, undefined, () => {}) }
/** One weight index per model directory, shared by the sites of this process (~60 MB each for the bundled model). */
const weightsByDir = new Map<string, Promise<{ index?: WeightIndex; bytes?: Uint8Array }>>()

function weightsOf(dir: string): Promise<{ index?: WeightIndex; bytes?: Uint8Array }> {
  let w = weightsByDir.get(dir)
  if (w === undefined) {
    w = loadWeightFiles(dir).then((files) => (files.length > 0 ? { index: new WeightIndex(files), bytes: files[0].bytes } : {}))
    weightsByDir.set(dir, w)
  }
  return w
}

async function setup(init: ChildInit): Promise<SimSite> {
  const w = await weightsOf(init.weightsDir ?? await ensureBundledModel())
  const s = await openSite(init.dir)
  const links = new LinkEmulator(init.edges, new Map(Object.entries(init.peerIds)), new Rng(init.seed).fork(`links:${init.id}`))
  return new SimSite({
    identity: { spec: init.spec, key: s.key, dir: init.dir },
    mode: 'process', listen: init.listen, links, weights: w.index, weightBytes: w.bytes, modelDir: init.weightsDir, seed: init.seed,
    syncIntervalMs: init.syncIntervalMs, neighbours: init.neighbours, peerIdOf: (id) => init.peerIds[id],
    clock: epochMs, onDelivered: (site, record, at, via, from) => send({ type: 'delivered', site, record, via, from, atEpochMs: at }),
    log: (line) => send({ type: 'log', line }),
  })
}

async function handle(s: SimSite, req: ChildRequest): Promise<unknown> {
  switch (req.op) {
    case 'start': await s.start(req.bootstrap); return null
    case 'stop': await s.stop(); return null
    case 'publish': return s.publish(unb64(req.bytes))
    case 'partition': await s.partition(req.groups); return null
    case 'admitted': return s.admittedPeers()
    case 'holds': return s.holds(req.ids)
    case 'counts': return [...(await s.counts())]
    case 'egress': return s.egress()
    case 'attack': return s.attack(req.role, req.count, { victims: req.victims.map(unb64), genesis: req.genesis.map(unb64), label: req.label, ...(req.leak === undefined ? {} : { leak: req.leak }) })
    case 'leaks': return s.leakAttempts()
    case 'violations': return s.violations()
    case 'evaluate': {
      const ev = await s.evaluate(req.backend)
      return { records: ev.records.map(b64), row: ev.row }
    }
    case 'verify': return s.verify(unb64(req.bytes))
    case 'alerts': return s.alerts()
    case 'mesh': return s.meshPeers(req.topic)
  }
}

let cpu0 = process.cpuUsage()
const loopDelay = monitorEventLoopDelay({ resolution: 20 })
loopDelay.enable()
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024)
const ms = (ns: number): number => Math.round(ns / 1e6)

async function handleWorker(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'admitted-all': {
      const out: Record<string, string[]> = {}
      for (const [id, p] of sites) out[id] = await (await p).admittedPeers()
      return out
    }
    case 'resources': {
      await Promise.allSettled(sites.values()) // every site set up: weights loaded, stores opened
      const cpu = process.cpuUsage(cpu0)
      const r: WorkerResources = {
        rssMb: mb(process.memoryUsage().rss), maxRssMb: mb(process.resourceUsage().maxRSS * 1024), cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        loopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
      }
      if (req.reset) { cpu0 = process.cpuUsage(); loopDelay.reset() }
      return r
    }
  }
}

process.on('message', (m: ParentMessage) => {
  if (m.type === 'init') {
    const p = setup(m.init)
    p.catch(() => {}) // reported to the first request about this site
    sites.set(m.init.id, p)
    return
  }
  void (async () => {
    const site = m.type === 'request' ? sites.get(m.site) : undefined
    try {
      if (m.type === 'worker') { send({ type: 'reply', id: m.id, ok: true, value: await handleWorker(m.req), addrs: [] }); return }
      const s = await (site ?? Promise.reject(new Error('not initialised')))
      const value = await handle(s, m.req)
      send({ type: 'reply', id: m.id, ok: true, value, addrs: s.addrs() })
    } catch (err) {
      const s = await site?.catch(() => undefined)
      send({ type: 'reply', id: m.id, ok: false, error: (err as Error).message, addrs: s?.addrs() ?? [] })
    }
  })()
})
process.on('disconnect', () => {
  void Promise.all([...sites.values()].map(async (p) => (await p.catch(() => undefined))?.stop()))
    .finally(() => process.exit(0))
})
