/**
 * One simulated site: a real site node (node/site-node.ts — store on disk, trust, gossip, validation) plus what the
 * simulation adds around it: the egress monitor and the link emulator on its encrypter, a sync service, the
 * exfiltration sink, and the bookkeeping of which records it holds and when each arrived.
 */
import { memory } from '@libp2p/memory'
import { tcp } from '@libp2p/tcp'
import { EgressMonitor } from '../../node/net/egress/index.ts'
import type { WeightIndex } from '../../node/net/egress/index.ts'
import type { NetLog } from '../../node/net/log.ts'
import { startSiteNode } from '../../node/site-node.ts'
import type { SiteNode } from '../../node/site-node.ts'
import { SyncIndex, SyncService } from '../../node/sync/index.ts'
import type { Mode } from '../scenario/types.ts'
import type { SimSiteIdentity } from './federation.ts'
import type { LinkEmulator } from './links.ts'

/** Protocol of the stream an exfiltrator uses to push weights to an accomplice (every simulated site drains it). */
export const EXFIL_PROTOCOL = '/aip-sim/exfil/1.0.0'


export interface SimSiteInit {
  identity: SimSiteIdentity
  mode: Mode
  listen: string
  bootstrap: string[]
  links: LinkEmulator
  weights?: WeightIndex
  /** Background anti-entropy period (scenario sync_interval_ms); sessions also start on every connection. */
  syncIntervalMs: number
  /** ms since the run's start. */
  clock(): number
  onDelivered(site: string, record: string, atMs: number): void
}

export class SimSite {
  readonly id: string
  readonly monitor: EgressMonitor
  node?: SiteNode
  private sync?: SyncService
  /** Record IDs known to be in the store. */
  readonly held = new Set<string>()
  readonly series: [number, number][] = []
  /** Validation outcome counts (`action/code`) of stopped incarnations. */
  private readonly pastCounts = new Map<string, number>()
  revoked = false

  constructor(private readonly init: SimSiteInit) {
    this.id = init.identity.spec.id
    this.monitor = new EgressMonitor({ index: init.weights, block: true })
  }

  get alive(): boolean {
    return this.node !== undefined
  }

  async start(): Promise<void> {
    const { identity, links } = this.init
    const quiet: NetLog = process.env.AIP_SIM_DEBUG != null ? (ev, f) => console.error(this.id, ev, JSON.stringify(f)) : () => {}
    const node = await startSiteNode(identity.dir, {
      listen: [this.init.listen],
      bootstrap: this.init.bootstrap,
      api: false,
      log: quiet,
      hooks: {
        transports: [this.init.mode === 'memory' ? memory() : tcp()],
        wrapEncrypter: (noise) => this.monitor.wrap(links.wrap(this.id, noise)),
      },
      onStored: (r) => {
        if (this.held.has(r.id)) return
        this.held.add(r.id)
        this.init.onDelivered(this.id, r.id, this.init.clock())
      },
    })
    this.node = node
    const libp2p = node.network.host.libp2p
    await libp2p.handle(EXFIL_PROTOCOL, async (stream) => {
      for await (const _ of stream) { /* an accomplice drains */ }
    })
    // Anti-entropy: catch-up after partitions, restarts and late joins (specs/sync-v1.md).
    if (!('sync' in node)) {
      const index = await SyncIndex.load(node.store)
      this.sync = new SyncService({
        libp2p, index, store: node.store,
        accept: (bytes) => node.network.validator.local(bytes, Date.now()),
        admits: (peer) => node.network.gate.admittedPeers().some((p) => p.peerId === peer),
      }, { intervalMs: this.init.syncIntervalMs })
      await this.sync.start()
    }
  }

  async stop(): Promise<void> {
    const node = this.node
    if (node === undefined) return
    for (const [k, v] of this.counts()) this.pastCounts.set(k, v)
    this.node = undefined
    await this.sync?.stop().catch(() => {})
    this.sync = undefined
    await node.stop()
  }

  /** Validation outcomes (gossip + local) and hello refusals, by `action/code`, over every incarnation. */
  counts(): Map<string, number> {
    const out = new Map(this.pastCounts)
    if (this.node !== undefined) {
      for (const [k, v] of this.node.network.validator.counts) out.set(k, (out.get(k) ?? 0) + v)
      for (const [k, v] of this.node.network.gate.refusals) out.set(`reject/${k}`, (out.get(`reject/${k}`) ?? 0) + v)
    }
    return out
  }

  sample(atMs: number): void {
    this.series.push([Math.round(atMs), this.held.size])
  }

  /** Final check against the store itself: which of these IDs does it hold? */
  async holds(ids: string[]): Promise<string[]> {
    if (this.node === undefined) return [...this.held].filter((id) => ids.includes(id))
    const out: string[] = []
    for (const id of ids) if (await this.node.store.has(id)) out.push(id)
    return out
  }

  /** Site ids of the peers that passed this site's hello gate. */
  admittedPeers(): string[] {
    return this.node?.network.gate.admittedPeers().map((p) => this.init.links.siteOf(p.peerId) ?? p.peerId) ?? []
  }

  /** Connected peers' site ids. */
  connectedPeers(): string[] {
    return this.node?.network.host.libp2p.getPeers().map((p) => this.init.links.siteOf(p.toString()) ?? p.toString()) ?? []
  }
}
