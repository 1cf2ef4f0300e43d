/**
 * The site's network: host + gate + validation adapter + bootstrap re-dialling, started and stopped together.
 * `publish` validates and durably stores a record, then gossips it on its type's topic (specs/network-v1.md §4).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { broadcastRefusal } from '../../protocol/index.ts'
import type { NodeMetrics } from '../metrics.ts'
import { REDIAL_INTERVAL_MS } from './constants.ts'
import type { GateComponents } from './gate.ts'
import { PeerGate } from './gate.ts'
import type { HostHooks, HostOptions, SiteHost } from './host.ts'
import type { SigningKey } from '../site/signing-key.ts'
import { createSiteHost } from './host.ts'
import type { NetLog } from './log.ts'
import { topicForType, TOPICS } from './topics.ts'
import type { AdmitOutcome, RecordDoor } from '../records/index.ts'
import { GossipValidator } from './validation.ts'

export interface NetworkOptions {
  key: SigningKey
  /** libp2p metrics; see HostOptions.metrics. */
  libp2pMetrics?: HostOptions['metrics']
  /** Simulation hooks (transport, encrypter wrapper); see HostHooks. */
  hooks?: HostHooks
  listen: string[]
  bootstrap: string[]
  metrics: Pick<NodeMetrics, 'registry' | 'peersAdmitted'>
  log: NetLog
  now(): number
}

export type NetworkComponents = Omit<GateComponents, 'log' | 'now'> & {
  /** The site's one door for records (node/records): gossip enters through it. */
  door: RecordDoor
}

export interface PeerInfo {
  peerId: string
  admitted: boolean
  nation?: string
  certificate?: string
  addresses: string[]
  score: number
  /** Round trip in ms as libp2p's connection monitor last measured it (its ping), the lowest over the connections. */
  rttMs?: number
}

export class Network {
  private redial?: NodeJS.Timeout
  private constructor(readonly host: SiteHost, readonly gate: PeerGate, readonly validator: GossipValidator,
    private readonly door: RecordDoor, private readonly opts: NetworkOptions) {}

  static async start(c: NetworkComponents, opts: NetworkOptions): Promise<Network> {
    const gate = new PeerGate({ ...c, log: opts.log, now: opts.now })
    const host = await createSiteHost({ key: opts.key, metrics: opts.libp2pMetrics, listen: opts.listen, appSpecificScore: gate.appSpecificScore, connectionGater: gate.gater, hooks: opts.hooks })
    const validator = new GossipValidator(c.door, opts.log, opts.now, opts.metrics)
    c.door.bindPeers(gate)
    await gate.start(host.libp2p, host.pubsub)
    validator.attach(host.pubsub)
    host.pubsub.addEventListener('gossipsub:heartbeat', () => opts.metrics.peersAdmitted.set(gate.admittedPeers().length))
    for (const t of TOPICS) host.pubsub.subscribe(t)
    const net = new Network(host, gate, validator, c.door, opts)
    net.dialBootstrap()
    net.redial = setInterval(() => net.dialBootstrap(), REDIAL_INTERVAL_MS)
    opts.log('network_started', { peer_id: host.peerId.toString(), listen: net.addresses() })
    return net
  }

  addresses(): string[] {
    return this.host.libp2p.getMultiaddrs().map((a) => a.toString())
  }

  /** Gossips a record the door has stored (local publishing, a buffered record placed later) on its type's topic. */
  async forward(record: { type: string; bytes: Uint8Array; body: unknown }): Promise<void> {
    // alignment-v1 O1–O2: restricted chunks never, embargoed ones not yet (SiteAlignment releases them)
    const withheld = broadcastRefusal(record.type, record.body, this.opts.now())
    if (withheld !== undefined) {
      this.opts.log('broadcast_withheld', { id: (record as { id?: string }).id, type: record.type, reason: withheld })
      return
    }
    const topic = topicForType(record.type)
    if (topic !== undefined) await this.host.pubsub.publish(topic, record.bytes)
  }

  /** Admits a record this site publishes through the door (source `local`), then gossips it. */
  async publish(bytes: Uint8Array): Promise<AdmitOutcome> {
    const v = await this.door.admit(bytes, { via: 'local' })
    if (v.action === 'accept' && v.record !== undefined) await this.forward(v.record)
    return v
  }

  peers(): PeerInfo[] {
    const admitted = new Map(this.gate.admittedPeers().map((p) => [p.peerId, p]))
    const out = new Map<string, PeerInfo>()
    for (const conn of this.host.libp2p.getConnections()) {
      const peerId = conn.remotePeer.toString()
      const a = admitted.get(peerId)
      const p = out.get(peerId) ?? {
        peerId, admitted: a !== undefined, nation: a?.nation, certificate: a?.certificateId, addresses: [],
        score: this.host.pubsub.getScore(peerId),
      }
      p.addresses.push(conn.remoteAddr.toString())
      if (conn.rtt !== undefined && (p.rttMs === undefined || conn.rtt < p.rttMs)) p.rttMs = conn.rtt
      out.set(peerId, p)
    }
    return [...out.values()]
  }

  async stop(): Promise<void> {
    clearInterval(this.redial)
    this.gate.stop()
    await this.host.libp2p.stop()
  }

  private dialBootstrap(): void {
    for (const addr of this.opts.bootstrap) {
      let ma
      try {
        ma = multiaddr(addr)
      } catch {
        this.opts.log('bootstrap_invalid', { addr })
        continue
      }
      const peer = ma.getComponents().find((c) => c.name === 'p2p')?.value
      if (peer !== undefined && this.host.libp2p.getConnections().some((c) => c.remotePeer.toString() === peer)) continue
      this.host.libp2p.dial(ma, { signal: AbortSignal.timeout(REDIAL_INTERVAL_MS * 2) }).catch((err: unknown) => {
        this.opts.log('dial_failed', { addr, error: String(err) })
      })
    }
  }
}
