/**
 * A simulated site in its own OS process (mode "process"): the same SimSite as in memory mode, over TCP on
 * 127.0.0.1, driven by the parent's requests over IPC (process.ts). Exits when the parent disconnects.
 */
import '../../node/polyfill.ts'
import { ensureBundledModel } from '../../kernels/index.ts'
import { loadWeightFiles, WeightIndex, openSite } from '../../node/index.ts'
import { Rng } from '../rng.ts'
import { LinkEmulator } from './links.ts'
import type { ChildInit, ChildMessage, ChildRequest } from './process.ts'
import { b64, unb64 } from './process.ts'
import { SimSite } from './site.ts'

let site: SimSite | undefined
const send = (m: ChildMessage): void => { process.send?.(m) }

async function setup(init: ChildInit): Promise<SimSite> {
  const files = await loadWeightFiles(init.weightsDir ?? await ensureBundledModel())
  const weights = files.length > 0 ? new WeightIndex(files) : undefined
  const s = await openSite(init.dir)
  const links = new LinkEmulator(init.edges, new Map(Object.entries(init.peerIds)), new Rng(init.seed).fork(`links:${init.id}`))
  return new SimSite({
    identity: { spec: init.spec, key: s.key, dir: init.dir },
    mode: 'process', listen: '/ip4/127.0.0.1/tcp/0', links, weights, weightBytes: files[0]?.bytes, modelDir: init.weightsDir, seed: init.seed,
    syncIntervalMs: init.syncIntervalMs, neighbours: init.neighbours, peerIdOf: (id) => init.peerIds[id],
    clock: () => 0, onDelivered: (_site, record, _at, via, from) => send({ type: 'delivered', record, via, from }),
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
  }
}

let ready: Promise<SimSite> | undefined
process.on('message', (m: { type: 'init'; init: ChildInit } | { type: 'request'; id: number; req: ChildRequest }) => {
  if (m.type === 'init') { ready = setup(m.init).then((s) => (site = s)); return }
  void (async () => {
    try {
      const s = await (ready ?? Promise.reject(new Error('not initialised')))
      const value = await handle(s, m.req)
      send({ type: 'reply', id: m.id, ok: true, value, addrs: s.addrs() })
    } catch (err) {
      send({ type: 'reply', id: m.id, ok: false, error: (err as Error).message, addrs: site?.addrs() ?? [] })
    }
  })()
})
process.on('disconnect', () => {
  void (site?.stop() ?? Promise.resolve()).finally(() => process.exit(0))
})
