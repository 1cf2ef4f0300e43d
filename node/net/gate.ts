/**
 * Federation gating (specs/network-v1.md §3, §6): the `/aip/hello/1.0.0` handshake, the per-peer admission state,
 * the application-specific score gossipsub reads, and the rules that disconnect peers:
 * - a peer that has not passed hello within HELLO_TIMEOUT_MS of connecting;
 * - a peer whose hello fails (bad message, certificate not placeable, certificate key ≠ Noise key);
 * - an admitted peer whose certificate is no longer valid (revocation) — `recheck()`;
 * - an admitted peer graylisted for GRAYLIST_DISCONNECT_HEARTBEATS heartbeats.
 * Peers refused for a protocol fault are barred for PEER_BAR_MS (the connection gater refuses them); a hello that
 * times out or whose stream fails without a protocol fault holds the peer off for a jittered, doubling backoff (H6a).
 */
import type { Connection, ConnectionGater, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import {
  BARRED_PEERS_MAX, GRAYLIST_DISCONNECT_HEARTBEATS, GRAYLIST_THRESHOLD, HELLO_ACK, HELLO_MAX_BYTES, HELLO_PROTOCOL,
  HELLO_BACKOFF_BASE_MS, HELLO_REPEAT_DELAY_MS, HELLO_TIMEOUT_MS, OVER_LIMIT_PENALTY_HALF_LIFE_MS, PEER_BAR_MS, PENDING_APP_SCORE,
  PENDING_PEER_MAX_MESSAGES, UNCONFIRMED_APP_SCORE,
} from './constants.ts'
import type { GossipRouter } from './host.ts'
import type { Hello } from './hello-message.ts'
import { decodeHello, encodeHello, HelloDecodeError } from './hello-message.ts'
import type { NetLog } from './log.ts'
import { forgetBackoff, forgetCachedScore } from './patches/index.ts'

/** Where a peer's certificate places it, once admitted. */
export interface Admitted {
  siteKey: Uint8Array
  certificateId: string
  nation: string
}

export type Placement = { ok: true, admitted: Admitted } | { ok: false, code: string, message: string }

/** What the gate needs from the site: its own hello, and a way to place a peer's certificate. */
export interface GateComponents {
  /** The hello this site presents: its SiteCertificate and the federation records a peer may lack. */
  ownHello(now: number): Promise<Hello>
  /**
   * Validates and applies the federation records, then the certificate, at time `now`; succeeds only when the
   * certificate is valid under the current charter AND certifies exactly `remoteKey` (§3 rule H4).
   */
  place(hello: Hello, remoteKey: Uint8Array, now: number, peer: string): Promise<Placement>
  /** Is this admitted peer's certificate still valid at `now`? (revocations) */
  stillValid(admitted: Admitted, now: number): boolean
  log: NetLog
  now(): number
  /** Uniform in [0, 1): the jitter of hello backoffs (H6a); default Math.random. */
  random?: () => number
}

interface PeerState {
  admitted?: Admitted
  /** Resolves true once the peer is admitted, false when it is refused or gone (§3). */
  judged: Promise<boolean>
  settle: (admitted: boolean) => void
  /** The peer has admitted us too (hello ack): it may join the gossip mesh. */
  meshReady: boolean
  /** Messages from this peer waiting for its hello to finish (§6 step 1). */
  waiting: number
  graylistedBeats: number
  penalty: number
  penaltyAt: number
}

export type RefusalCode = 'hello_timeout' | 'bad_hello' | 'key_mismatch' | 'not_certified' | 'revoked' | 'graylisted'

export class PeerGate {
  private readonly peers = new Map<string, PeerState>()
  private readonly barred = new Map<string, number>()
  /** Consecutive hello failures without a protocol fault, per peer (H6a); cleared when the peer is admitted. */
  private readonly failures = new Map<string, number>()
  private libp2p?: Libp2p
  private pubsub?: GossipRouter
  private readonly timers = new Set<NodeJS.Timeout>()
  private announceTimer?: NodeJS.Timeout
  /** Refusals counted by code (read by metrics and tests). */
  readonly refusals = new Map<RefusalCode, number>()

  constructor(private readonly c: GateComponents) {}

  /** P5 for gossipsub: pending peers sit below the publish threshold; admitted peers lose points for over-limit traffic. */
  appSpecificScore = (peerId: string): number => {
    const s = this.peers.get(peerId)
    if (s?.admitted === undefined) return PENDING_APP_SCORE
    return (s.meshReady ? 0 : UNCONFIRMED_APP_SCORE) - this.decayedPenalty(s, this.c.now())
  }

  isAdmitted(peerId: string): boolean {
    return this.peers.get(peerId)?.admitted !== undefined
  }

  admittedPeers(): Array<{ peerId: string } & Admitted> {
    const out: Array<{ peerId: string } & Admitted> = []
    for (const [peerId, s] of this.peers) if (s.admitted !== undefined) out.push({ peerId, ...s.admitted })
    return out
  }

  /**
   * §6 step 1: waits (at most until the hello timeout) for a connected peer's hello to finish; true if it is admitted.
   * The other side may admit us and send gossip a moment before we have judged its own hello. At most
   * PENDING_PEER_MAX_MESSAGES messages per peer wait; beyond that, false at once.
   */
  async whenAdmitted(peerId: string): Promise<boolean> {
    const s = this.peers.get(peerId)
    if (s === undefined) return false
    if (s.admitted !== undefined) return true
    if (s.waiting >= PENDING_PEER_MAX_MESSAGES) return false
    s.waiting++
    try {
      return await s.judged
    } finally {
      s.waiting--
    }
  }

  /** The connection gater: barred peers cannot connect or be dialled. */
  readonly gater: ConnectionGater = {
    denyDialPeer: (peerId: PeerId) => this.isBarred(peerId.toString()),
    denyInboundEncryptedConnection: (peerId: PeerId) => this.isBarred(peerId.toString()),
  }

  /** A protocol violation (sync-v1 §7) costs the peer `points` of decaying app score; over-limit records never do (§6 step 5). */
  penalise(peerId: string, points: number): void {
    const s = this.peers.get(peerId)
    if (s === undefined) return
    const now = this.c.now()
    s.penalty = this.decayedPenalty(s, now) + points
    s.penaltyAt = now
  }

  async start(libp2p: Libp2p, pubsub: GossipRouter): Promise<void> {
    this.libp2p = libp2p
    this.pubsub = pubsub
    await libp2p.handle(HELLO_PROTOCOL, (stream, conn) => this.onInbound(stream, conn), { maxInboundStreams: 2 })
    libp2p.addEventListener('connection:open', (evt) => this.onConnection(evt.detail))
    libp2p.addEventListener('peer:disconnect', (evt) => {
      const id = evt.detail.toString()
      if (libp2p.getConnections(evt.detail).length === 0) this.forget(id)
    })
    pubsub.addEventListener('gossipsub:heartbeat', () => this.onHeartbeat())
  }

  stop(): void {
    clearTimeout(this.announceTimer)
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  /**
   * §3 rule H7: this site learned federation records its admitted peers may lack (a new member's certificate from
   * its hello): repeat hello with each of them, shortly, once for a burst of records. Each peer that learns something
   * from it does the same, so the records spread hop by hop until every site has them.
   */
  announce(): void {
    if (this.announceTimer !== undefined) return
    this.announceTimer = setTimeout(() => {
      this.announceTimer = undefined
      const libp2p = this.libp2p
      if (libp2p === undefined) return
      const seen = new Set<string>()
      for (const conn of libp2p.getConnections()) {
        const peerId = conn.remotePeer.toString()
        if (conn.status !== 'open' || seen.has(peerId) || !this.isAdmitted(peerId)) continue
        seen.add(peerId)
        void this.onOutbound(conn)
      }
    }, HELLO_REPEAT_DELAY_MS)
  }

  /** §3 rule H6: disconnects every admitted peer whose certificate is no longer valid (after a revocation). */
  recheck(): void {
    const now = this.c.now()
    for (const [peerId, s] of this.peers) {
      if (s.admitted !== undefined && !this.c.stillValid(s.admitted, now)) this.refuse(peerId, 'revoked', 'certificate no longer valid')
    }
  }

  private isBarred(peerId: string): boolean {
    const until = this.barred.get(peerId)
    if (until === undefined) return false
    if (until > this.c.now()) return true
    this.barred.delete(peerId)
    return false
  }

  private decayedPenalty(s: PeerState, now: number): number {
    if (s.penalty === 0) return 0
    return s.penalty * Math.pow(0.5, (now - s.penaltyAt) / OVER_LIMIT_PENALTY_HALF_LIFE_MS)
  }

  private state(peerId: string): PeerState {
    let s = this.peers.get(peerId)
    if (s === undefined) {
      let settle!: (admitted: boolean) => void
      const judged = new Promise<boolean>((resolve) => { settle = resolve })
      s = { graylistedBeats: 0, penalty: 0, penaltyAt: 0, judged, settle, waiting: 0, meshReady: false }
      this.peers.set(peerId, s)
    }
    return s
  }

  private onConnection(conn: Connection): void {
    const peerId = conn.remotePeer.toString()
    this.state(peerId)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (conn.status === 'open' && !this.isAdmitted(peerId)) this.refuse(peerId, 'hello_timeout', `no hello within ${HELLO_TIMEOUT_MS} ms`, false)
    }, HELLO_TIMEOUT_MS)
    this.timers.add(timer)
    // §3 rule H1: the dialling side opens the hello stream; the listening side answers.
    if (conn.direction === 'outbound') void this.onOutbound(conn)
  }

  private async onOutbound(conn: Connection): Promise<void> {
    const peerId = conn.remotePeer.toString()
    try {
      const stream = await conn.newStream(HELLO_PROTOCOL, { signal: AbortSignal.timeout(HELLO_TIMEOUT_MS) })
      const lp = lpStream(stream, { maxDataLength: HELLO_MAX_BYTES })
      const signal = AbortSignal.timeout(HELLO_TIMEOUT_MS)
      await lp.write(encodeHello(await this.c.ownHello(this.c.now())), { signal })
      const reply = (await lp.read({ signal })).subarray()
      // §3 rule H1: the listener replies only once it has admitted us, so both sides now hold each other admitted
      if (await this.judge(conn, reply)) {
        this.meshReady(peerId)
        await lp.write(HELLO_ACK, { signal })
      }
      await stream.close({ signal }).catch(() => undefined)
    } catch (err) {
      if (conn.status === 'open' && !this.isAdmitted(peerId)) this.c.log('hello_failed', { peer: peerId, direction: 'outbound', error: String(err) })
    }
  }

  private async onInbound(stream: Stream, conn: Connection): Promise<void> {
    const peerId = conn.remotePeer.toString()
    const signal = AbortSignal.timeout(HELLO_TIMEOUT_MS)
    try {
      const lp = lpStream(stream, { maxDataLength: HELLO_MAX_BYTES })
      const request = (await lp.read({ signal })).subarray()
      // §3 rule H2: the listener answers only a peer it has admitted.
      if (!(await this.judge(conn, request))) {
        stream.abort(new Error('hello refused'))
        return
      }
      await lp.write(encodeHello(await this.c.ownHello(this.c.now())), { signal })
      // §3 rule H1: the dialler's ack says it has admitted us too; only then may the gossip mesh include it
      const ack = (await lp.read({ signal })).subarray()
      if (ack.length === HELLO_ACK.length && ack[0] === HELLO_ACK[0]) this.meshReady(peerId)
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      // §3 H6a: an oversized frame is a protocol fault; a timeout, a reset or a closed connection is not
      if (!this.isAdmitted(peerId)) this.refuse(peerId, isProtocolFault(err) ? 'bad_hello' : 'hello_timeout', String(err), isProtocolFault(err))
    }
  }

  /** Verifies a received hello; admits the peer or refuses (disconnects and bars) it. */
  private async judge(conn: Connection, bytes: Uint8Array): Promise<boolean> {
    const peerId = conn.remotePeer.toString()
    const remoteKey = conn.remotePeer.publicKey?.raw
    let hello: Hello
    try {
      hello = decodeHello(bytes)
    } catch (err) {
      this.refuse(peerId, 'bad_hello', err instanceof HelloDecodeError ? err.message : String(err))
      return false
    }
    if (remoteKey === undefined || remoteKey.length !== 32) {
      this.refuse(peerId, 'key_mismatch', 'remote peer has no Ed25519 key')
      return false
    }
    const placement = await this.c.place(hello, remoteKey, this.c.now(), peerId)
    if (!placement.ok) {
      const code = placement.code === 'key_mismatch' || placement.code === 'bad_hello' ? placement.code : 'not_certified'
      this.refuse(peerId, code, `${placement.code}: ${placement.message}`)
      return false
    }
    if (conn.status !== 'open') return false
    const s = this.state(peerId)
    const first = s.admitted === undefined
    s.admitted = placement.admitted
    s.settle(true)
    this.failures.delete(peerId)
    if (first) this.c.log('peer_admitted', { peer: peerId, nation: placement.admitted.nation, certificate: placement.admitted.certificateId })
    return true
  }

  /** Both sides have admitted each other: the peer's score may reach 0, so gossipsub may graft it (§6). */
  private meshReady(peerId: string): void {
    const s = this.peers.get(peerId)
    if (s === undefined || s.meshReady) return
    s.meshReady = true
    // a pending score cached before admission, and a PRUNE backoff left from an earlier session, would delay the
    // first records and the mesh (node/net/patches/gossipsub-state.ts)
    forgetCachedScore(this.pubsub, peerId)
    forgetBackoff(this.pubsub, peerId)
  }

  /** ms until the connection gater lets this peer in again (0: not held off). */
  barredFor(peerId: string): number {
    return this.isBarred(peerId) ? (this.barred.get(peerId) as number) - this.c.now() : 0
  }

  /**
   * Bars a peer for `ms`; the oldest bar goes first beyond BARRED_PEERS_MAX (fresh keys cost nothing). A shorter
   * hold never shortens a longer bar already in place.
   */
  private bar(peerId: string, ms: number): void {
    const until = Math.max(this.c.now() + ms, this.barred.get(peerId) ?? 0)
    this.barred.delete(peerId)
    if (this.barred.size >= BARRED_PEERS_MAX) {
      const oldest = this.barred.keys().next().value
      if (oldest !== undefined) this.barred.delete(oldest)
    }
    this.barred.set(peerId, until)
  }

  /** §3 H6a: the k-th consecutive hello failure without a protocol fault holds the peer off base × 2^(k−1) × U[0.5, 1]. */
  private backoff(peerId: string): number {
    const k = (this.failures.get(peerId) ?? 0) + 1
    this.failures.delete(peerId)
    if (this.failures.size >= BARRED_PEERS_MAX) {
      const oldest = this.failures.keys().next().value
      if (oldest !== undefined) this.failures.delete(oldest)
    }
    this.failures.set(peerId, k)
    const jitter = 0.5 + 0.5 * (this.c.random ?? Math.random)()
    return Math.min(PEER_BAR_MS, HELLO_BACKOFF_BASE_MS * 2 ** Math.min(k - 1, 30) * jitter)
  }

  private forget(peerId: string): void {
    this.peers.get(peerId)?.settle(false)
    this.peers.delete(peerId)
  }

  /** Disconnects a peer and holds it off: PEER_BAR_MS for a protocol fault (§3), a backoff otherwise (H6a). */
  private refuse(peerId: string, code: RefusalCode, message: string, fault = true): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1)
    const ms = fault ? PEER_BAR_MS : this.backoff(peerId)
    this.c.log('peer_refused', { peer: peerId, code, message, barred_ms: Math.round(ms) })
    this.bar(peerId, ms)
    this.forget(peerId)
    const libp2p = this.libp2p
    if (libp2p === undefined) return
    for (const conn of libp2p.getConnections()) {
      if (conn.remotePeer.toString() === peerId) void conn.close().catch(() => conn.abort(new Error('refused')))
    }
  }

  /**
   * §6 rule S3: graylisted for GRAYLIST_DISCONNECT_HEARTBEATS consecutive heartbeats → disconnect and bar.
   * §3 rule H6: a certificate that has expired (or was revoked) since admission → disconnect.
   */
  private onHeartbeat(): void {
    const pubsub = this.pubsub
    if (pubsub === undefined) return
    this.recheck()
    for (const [peerId, s] of this.peers) {
      if (s.admitted === undefined) continue
      if (pubsub.getScore(peerId) < GRAYLIST_THRESHOLD) s.graylistedBeats++
      else s.graylistedBeats = 0
      if (s.graylistedBeats >= GRAYLIST_DISCONNECT_HEARTBEATS) this.refuse(peerId, 'graylisted', `score ${pubsub.getScore(peerId).toFixed(1)}`)
    }
  }
}

/**
 * §3 H6a: what in a failed hello stream is the peer's fault — a frame over HELLO_MAX_BYTES or a malformed length
 * prefix. Timeouts, resets and closed connections are not: a busy or restarting peer causes them too.
 */
function isProtocolFault(err: unknown): boolean {
  const name = err instanceof Error ? err.name : ''
  return /^Invalid(DataLength|DataLengthLength|MessageLength)Error$/.test(name)
}
