/**
 * One simulated site: a real site node (node/site-node.ts — store on disk, trust, gossip, validation, sync) plus
 * what the simulation adds around it: the egress monitor and the link emulator on its encrypter, the exfiltration
 * sink, the byzantine behaviours, and the bookkeeping of which records it holds and when each arrived.
 */
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { tcp } from '@libp2p/tcp'
import { auditResource, EgressMonitor, startSiteNode } from '../../node/index.ts'
import type { WeightIndex, NetLog, SiteNode, SuiteItem } from '../../node/index.ts'
import type { BackendName } from '../../kernels/index.ts'
import { decodeRecord, formatNote } from '../../protocol/index.ts'
import type { DecodedRecord } from '../../protocol/index.ts'
import { Rng } from '../rng.ts'
import type { Mode, Role } from '../scenario/types.ts'
import * as attacks from './attacks.ts'
import { EXFIL_PROTOCOL } from './attacks.ts'
import { evaluateAtSite, lineageAtSite, tuneAtSite, verifyAtSite } from './evaluate.ts'
import type { SimSiteIdentity } from './federation.ts'
import type { AttackMaterial, AttackOutcome, AuditView, EvaluationOutcome, PublishVerdict, SiteHandle, TuneOutcome, TuneSettings } from './handle.ts'
import type { LeakAttempt, SiteAlert } from '../run.ts'
import type { LinkEmulator } from './links.ts'



/**
 * libp2p's liveness ping period at simulated sites (production: libp2p's 10 s). Each ping opens a stream on both ends
 * of a link; at 10 s they were the largest share of an idle site's CPU (README § 1,000 sites). Links are emulated and
 * a killed site closes its connections, so liveness needs no faster probe here.
 */
export const SIM_PING_INTERVAL_MS = 60_000

/** libp2p's component logger, silent: the default builds a debug scope (isatty included) for every stream. */
const silentLogger: ComponentLogger = {
  forComponent() {
    const log = Object.assign(() => {}, { error() {}, trace() {}, enabled: false, newScope: () => log }) as Logger
    return log
  },
}

/** Node log events that report a releasability violation (node/align: O1, O4, §3). */
const ALERT_EVENTS = new Set(['releasability_violation', 'share_unrequested', 'share_malformed'])

const pick = (f: Record<string, unknown>, k: string): Record<string, string> => (typeof f[k] === 'string' ? { [k]: f[k] } : {})

export interface SimSiteInit {
  identity: Pick<SimSiteIdentity, 'spec' | 'key' | 'dir'>
  mode: Mode
  /** Multiaddrs to listen on: /memory/… (sites of this process), /ip4/127.0.0.1/tcp/… (sites of other processes), or both. */
  listen: string[]
  links: LinkEmulator
  weights?: WeightIndex
  /** The raw weight bytes (what an exfiltrator tries to send). */
  weightBytes?: Uint8Array
  /** The site's model directory (its engine runs on it); default: the bundled model. */
  modelDir?: string
  /** Scenario seed (attacks derive their randomness from it and a label). */
  seed: number
  neighbours: string[]
  peerIdOf(site: string): string
  log?: (line: string) => void
  /** Background anti-entropy period (scenario sync_interval_ms); sessions also start on every connection. */
  syncIntervalMs: number
  /** ms since the run's start. */
  clock(): number
  /** `via`: the entrance (gossip, sync, hello, local…); `from`: the site it came from, when a peer sent it. */
  onDelivered(site: string, record: string, atMs: number, via: string, from?: string): void
}

export class SimSite implements SiteHandle {
  readonly id: string
  readonly monitor: EgressMonitor
  node?: SiteNode
  /** Record IDs known to be in the store. */
  readonly held = new Set<string>()
  readonly series: [number, number][] = []
  /** Validation outcome counts (`action/code`) of stopped incarnations. */
  private readonly pastCounts = new Map<string, number>()
  revoked = false
  /** forwarder: restricted bytes it sent to sites outside their audience. */
  readonly leaks: LeakAttempt[] = []
  /** Releasability violations this site's node logged (every incarnation). */
  private readonly alertLog: SiteAlert[] = []

  constructor(private readonly init: SimSiteInit) {
    this.id = init.identity.spec.id
    this.monitor = new EgressMonitor({ index: init.weights, block: true })
  }

  get alive(): boolean {
    return this.node !== undefined
  }

  async start(bootstrap: string[]): Promise<void> {
    const { identity, links } = this.init
    const debug: NetLog = process.env.AIP_SIM_DEBUG != null ? (ev, f) => console.error(this.id, ev, JSON.stringify(f)) : () => {}
    // The node's own alerts about releasability (alignment-v1 O1, O4, §3): what detection is measured from.
    const quiet: NetLog = (ev, f = {}) => {
      if (ALERT_EVENTS.has(ev)) {
        const peer = typeof f.peer === 'string' ? (links.siteOf(f.peer) ?? f.peer) : undefined
        this.alertLog.push({ event: ev, ...pick(f, 'code'), ...pick(f, 'via'), ...pick(f, 'id'), ...(peer === undefined ? {} : { peer }) })
      }
      debug(ev, f)
    }
    const node = await startSiteNode(identity.dir, {
      listen: this.init.listen,
      bootstrap,
      api: false,
      log: quiet,
      // the simulation wraps the encrypter with its own (blocking) egress monitor below, not the production guard
      egress: false,
      hooks: {
        transports: [
          ...(this.init.listen.some((a) => a.startsWith('/memory/')) ? [memory()] : []),
          ...(this.init.listen.some((a) => a.startsWith('/ip4/')) ? [tcp()] : []),
        ],
        wrapEncrypter: (noise) => this.monitor.wrap(links.wrap(this.id, noise)),
        pingIntervalMs: SIM_PING_INTERVAL_MS,
        ...(process.env.AIP_SIM_DEBUG != null ? {} : { logger: silentLogger }),
      },
      // Anti-entropy (node/sync): on every connection and every syncIntervalMs (runs last seconds, not hours).
      sync: { intervalMs: this.init.syncIntervalMs },
      onStored: (r, source) => {
        if (this.held.has(r.id)) return
        this.held.add(r.id)
        // the propagation source of the copy that was validated, i.e. the first to arrive: one edge of the gossip tree
        const peer = 'peer' in source ? source.peer : undefined
        const from = peer === undefined || peer === '' ? undefined : links.siteOf(peer) ?? peer
        this.init.onDelivered(this.id, r.id, this.init.clock(), source.via, from)
      },
    })
    this.node = node
    const libp2p = node.network.host.libp2p
    await libp2p.handle(EXFIL_PROTOCOL, async (stream) => {
      for await (const _ of stream) { /* an accomplice drains */ }
    })
  }

  async stop(): Promise<void> {
    const node = this.node
    if (node === undefined) return
    for (const [k, v] of this.countsNow()) this.pastCounts.set(k, v)
    this.node = undefined
    await node.stop()
  }

  addrs(): string[] {
    return this.node?.addrs() ?? []
  }

  async publish(bytes: Uint8Array): Promise<PublishVerdict> {
    if (this.node === undefined) return { action: 'ignore', code: 'site_down', message: `${this.id} is down` }
    return this.node.publish(bytes)
  }

  async partition(groups: string[][] | null): Promise<void> {
    const links = this.init.links
    if (groups === null) links.heal()
    else links.partition(groups)
    for (const c of this.node?.network.host.libp2p.getConnections() ?? []) {
      const other = links.siteOf(c.remotePeer.toString())
      if (other !== undefined && !links.connected(this.id, other)) await c.close().catch(() => {})
    }
  }

  async egress(): Promise<{ bytesSent: number; weightBytes: number }> {
    return { bytesSent: this.monitor.bytesSent, weightBytes: this.monitor.weightBytes }
  }

  async attack(role: Role, count: number, m: AttackMaterial): Promise<AttackOutcome> {
    const c: attacks.AttackContext = {
      site: this, identity: this.init.identity, rng: new Rng(this.init.seed).fork(m.label), victims: m.victims, genesis: m.genesis,
      neighbours: this.init.neighbours, peerIdOf: this.init.peerIdOf, siteOfPeer: (p) => this.init.links.siteOf(p), weights: this.init.weightBytes,
      now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), log: this.init.log,
    }
    switch (role) {
      case 'forger': return { sent: await attacks.forger(c, count), exfil: [0, 0] }
      case 'replayer': return { sent: await attacks.replayer(c, count), exfil: [0, 0] }
      case 'spammer': return { sent: await attacks.spammer(c, count), exfil: [0, 0] }
      case 'intruder': return { sent: await attacks.intruder(c, count), exfil: [0, 0] }
      case 'exfiltrator': return { sent: [], exfil: await attacks.exfiltrator(c, count) }
      case 'equivocator': {
        const [a, b] = await attacks.equivocator({ ...c, dir: this.init.identity.dir }, count)
        this.init.log?.(`${this.id}: showed the true checkpoint to ${a} witnesses and the rewritten one to ${b}`)
        return { sent: [], exfil: [0, 0], equivocations: a > 0 && b > 0 ? 1 : 0 }
      }
      case 'forwarder': return { sent: await attacks.forwarder(c, count, m.leak, this.leaks), exfil: [0, 0] }
      case 'honest': return { sent: [], exfil: [0, 0] }
    }
  }

  async evaluate(backend: BackendName): Promise<EvaluationOutcome> {
    if (this.node === undefined) throw new Error(`${this.id} is down`)
    let shown = -1
    const ev = await evaluateAtSite(this.node, this.id, backend, (done, total) => {
      const q = Math.floor((4 * done) / Math.max(1, total))
      if (q !== shown) { shown = q; this.init.log?.(`${this.id}: evaluated ${done}/${total} items`) }
    }, this.init.log, this.init.modelDir)
    return { records: ev.records.map((r) => r.bytes), row: ev.row }
  }

  async tune(from: string, bundle: string, params: TuneSettings, backend: BackendName, probe: readonly SuiteItem[]): Promise<TuneOutcome> {
    if (this.node === undefined) throw new Error(`${this.id} is down`)
    const r = await tuneAtSite(this.node, this.id, from, bundle, params, backend, probe, this.init.modelDir, this.init.log)
    return { records: r.records.map((x) => x.bytes), row: r.row, tuning: r.tuning.map((x) => x.bytes), parent: from, probe: r.probe, data: r.data, train_cpu_ms: r.trainCpuMs }
  }

  async verifyLineage(result: string): Promise<boolean> {
    return this.node === undefined ? false : lineageAtSite(this.node, result)
  }

  async verify(bytes: Uint8Array): Promise<boolean> {
    const o = decodeRecord(bytes)
    if (this.node === undefined || o.action !== 'accept') return false
    return verifyAtSite(this.node, o.record as DecodedRecord)
  }

  async auditCheckpoint(): Promise<string | undefined> {
    const audit = this.node?.audit
    if (audit === undefined) return undefined
    await audit.checkpointAndPublish()
    const note = await audit.audit.latest()
    return note === undefined ? undefined : formatNote(note)
  }

  async alerts(): Promise<string[]> {
    return this.node === undefined ? [] : ((await this.node.status()).alerts as string[])
  }

  async auditView(): Promise<AuditView> {
    const audit = this.node?.audit?.audit
    if (audit === undefined) return { get: async () => undefined }
    const note = await audit.latest()
    return {
      checkpoint: note === undefined ? undefined : formatNote(note),
      async get(path) {
        const r = await auditResource(audit, path)
        return typeof r === 'string' ? undefined : r.body
      },
    }
  }

  async leakAttempts(): Promise<LeakAttempt[]> {
    return [...this.leaks]
  }

  async violations(): Promise<SiteAlert[]> {
    return [...this.alertLog]
  }

  async dispose(): Promise<void> {
    await this.stop()
  }

  /** Validation outcomes (gossip + local) and hello refusals, by `action/code`, over every incarnation. */
  async counts(): Promise<Map<string, number>> {
    return this.countsNow()
  }

  private countsNow(): Map<string, number> {
    const out = new Map(this.pastCounts)
    if (this.node !== undefined) {
      for (const [k, v] of this.node.network.validator.counts) out.set(k, (out.get(k) ?? 0) + v)
      for (const [k, v] of this.node.network.gate.refusals) out.set(`reject/${k}`, (out.get(`reject/${k}`) ?? 0) + v)
    }
    return out
  }

  async meshPeers(topic: string): Promise<number | undefined> {
    return this.node?.network.host.pubsub.getMeshPeers(topic).length
  }

  sample(atMs: number): void {
    this.series.push([Math.round(atMs), this.held.size])
  }

  /** Final check against the store itself: which of these IDs does it hold? */
  async holds(ids: string[]): Promise<string[]> {
    if (this.node === undefined) return [...this.held].filter((id) => ids.includes(id))
    // all at once: one by one, on an event loop seconds behind (a loaded worker), 121 lookups took minutes
    const node = this.node
    const has = await Promise.all(ids.map((id) => node.store.has(id)))
    return ids.filter((_, i) => has[i])
  }

  /** Site ids of the peers that passed this site's hello gate. */
  async admittedPeers(): Promise<string[]> {
    return this.node?.network.gate.admittedPeers().map((p) => this.init.links.siteOf(p.peerId) ?? p.peerId) ?? []
  }

}
