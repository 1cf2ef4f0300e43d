/**
 * Link emulation between sites (simulations/README.md § Links): partitions, one-way latency with jitter, and loss.
 * It wraps the connection encrypter like the egress tap does, so it works the same over @libp2p/memory and TCP:
 *  - partition: a connection whose two ends are in different groups fails its handshake, and `cut()` closes the
 *    ones that exist;
 *  - latency: every write of plaintext leaves after latency + U[0, jitter) ms, in order;
 *  - loss: the byte streams are reliable, so — as on TCP — a lost segment costs a retransmission timeout
 *    (LOSS_RTO_MS) instead of disappearing: each write is delayed by that much extra with probability `loss`.
 */
import type { ConnectionEncrypter, MessageStream, SecureConnectionOptions, SecuredConnection } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Rng } from '../rng.ts'
import type { Edge, LinkSpec } from '../scenario/types.ts'

/** Retransmission timeout charged to a lost write (ms); Linux's minimum TCP RTO is 200 ms. */
export const LOSS_RTO_MS = 200

interface SendResult { sentBytes: number; canSendMore: boolean }
interface Patchable { sendData(data: Uint8ArrayList): SendResult; abort(err: Error): void; close(): Promise<void> }

export class PartitionError extends Error {
  readonly code = 'partitioned'
}

export class LinkEmulator {
  private readonly links = new Map<string, LinkSpec>()
  private group = new Map<string, number>()
  private readonly siteOfPeer = new Map<string, string>()

  constructor(edges: Edge[], peers: Map<string, string> /* site id → PeerId */, private readonly rng: Rng) {
    for (const e of edges) this.links.set(key(e.a, e.b), e.link)
    for (const [site, peer] of peers) this.siteOfPeer.set(peer, site)
  }

  partition(groups: string[][]): void {
    this.group = new Map(groups.flatMap((g, i) => g.map((s) => [s, i] as [string, number])))
  }

  heal(): void {
    this.group = new Map()
  }

  /** True when a and b may talk (sites absent from every group talk to everyone). */
  connected(a: string, b: string): boolean {
    const ga = this.group.get(a)
    const gb = this.group.get(b)
    return ga === undefined || gb === undefined || ga === gb
  }

  siteOf(peerId: string): string | undefined {
    return this.siteOfPeer.get(peerId)
  }

  /** The encrypter wrapper for site `local`. */
  wrap<C>(local: string, factory: (components: C) => ConnectionEncrypter): (components: C) => ConnectionEncrypter {
    return (components: C) => {
      const inner = factory(components)
      const tapped: ConnectionEncrypter = {
        protocol: inner.protocol,
        secureOutbound: async (conn: MessageStream, opts?: SecureConnectionOptions) => this.tap(local, await inner.secureOutbound(conn, opts)),
        secureInbound: async (conn: MessageStream, opts?: SecureConnectionOptions) => this.tap(local, await inner.secureInbound(conn, opts)),
      }
      for (const sym of Object.getOwnPropertySymbols(inner)) {
        Object.defineProperty(tapped, sym, { value: (inner as unknown as Record<symbol, unknown>)[sym] })
      }
      return tapped
    }
  }

  private async tap<E>(local: string, secured: SecuredConnection<E>): Promise<SecuredConnection<E>> {
    const remote = this.siteOf(secured.remotePeer.toString())
    const stream = secured.connection as unknown as Patchable
    if (remote !== undefined && !this.connected(local, remote)) {
      await stream.close().catch(() => {})
      throw new PartitionError(`${local} and ${remote} are partitioned`)
    }
    const link = remote === undefined ? undefined : this.links.get(key(local, remote))
    if (link === undefined || (link.latency_ms === 0 && link.jitter_ms === 0 && link.loss === 0)) return secured
    const send = stream.sendData.bind(stream)
    const rng = this.rng.fork(`${local}>${remote}`)
    // One FIFO per connection and one timer at a time: writes leave strictly in order (Noise nonces depend on it).
    const queue: { release: number; bytes: Uint8Array }[] = []
    let timer: NodeJS.Timeout | undefined
    const pump = (): void => {
      timer = undefined
      while (queue.length > 0 && queue[0].release <= performance.now()) {
        const item = queue.shift() as { bytes: Uint8Array }
        try {
          send(new Uint8ArrayList(item.bytes))
        } catch { /* the connection closed meanwhile */ }
      }
      if (queue.length > 0) timer = setTimeout(pump, Math.max(0, queue[0].release - performance.now()))
    }
    stream.sendData = (data: Uint8ArrayList): SendResult => {
      let delay = link.latency_ms + (link.jitter_ms > 0 ? rng.next() * link.jitter_ms : 0)
      if (link.loss > 0 && rng.next() < link.loss) delay += LOSS_RTO_MS
      const last = queue.length > 0 ? queue[queue.length - 1].release : 0
      queue.push({ release: Math.max(last, performance.now() + delay), bytes: data.subarray().slice() })
      if (timer === undefined) timer = setTimeout(pump, Math.max(0, queue[0].release - performance.now()))
      return { sentBytes: data.byteLength, canSendMore: true }
    }
    return secured
  }
}

function key(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`
}
