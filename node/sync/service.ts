/**
 * The /aip/sync/1.0.0 service of a site (specs/sync-v1.md §7): serves peers' sessions, and pulls from peers on
 * connect, every SYNC_INTERVAL_MS, and on demand (`syncWith`, used by `aip sync`). A peer that breaks the protocol
 * gets its stream reset and is scored down through `penalise`.
 */
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { SYNC_PROTOCOL, SyncError } from '../../protocol/index.ts'
import type { RecordStore } from '../store/store.ts'
import { CONNECT_SYNC_DELAY_MS, MAX_INBOUND_SESSIONS, PENALTY_POINTS, SYNC_INTERVAL_MS } from './constants.ts'
import type { SessionReport, SessionTimeouts, SyncVerdict } from './session.ts'
import { DEFAULT_TIMEOUTS, initiate, respond } from './session.ts'
import type { SyncIndex } from './sync-index.ts'

export interface SyncComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dial' | 'getPeers' | 'addEventListener' | 'removeEventListener'>
  index: SyncIndex
  store: Pick<RecordStore, 'getMany'>
  /** Admits a record pulled from `peer` through the site's door (node/records, source `sync`): validated, stored. */
  accept(bytes: Uint8Array, peer: string): Promise<SyncVerdict>
  /** Scores a peer down (node/net/gate.ts `penalise`). */
  penalise?(peerId: string, points: number): void
  /** Whether a peer may sync (passed federation admission). Default: every connected peer. */
  admits?(peerId: string): boolean
  /**
   * Resolves once a newly connected peer is admitted (true) or refused (false) (node/net/gate.ts `whenAdmitted`).
   * Without it, a connect triggers a pull after CONNECT_SYNC_DELAY_MS.
   */
  whenAdmitted?(peerId: string): Promise<boolean>
  log?(line: string): void
}

export interface SyncInit {
  /** Pull from a peer when it connects (default true). */
  onConnect?: boolean
  /** Period of background sessions with every admitted peer; 0 disables (default SYNC_INTERVAL_MS). */
  intervalMs?: number
  /** Session timeouts (default ROUND_TIMEOUT_MS, SESSION_TIMEOUT_MS; tests shorten them). */
  timeouts?: SessionTimeouts
}

export interface SyncResult extends SessionReport {
  peer: string
}

export class SyncService {
  private timer: NodeJS.Timeout | undefined
  private readonly running = new Map<string, Promise<SyncResult>>()
  private readonly pendingConnects = new Set<NodeJS.Timeout>()
  /** Streams of the sessions in progress, both roles (aborted by stop()). */
  private readonly streams = new Set<Stream>()
  private stopping = false
  /** Protocol violations seen, by code. */
  readonly violations = new Map<string, number>()

  constructor(private readonly c: SyncComponents, private readonly init: SyncInit = {}) {}

  async start(): Promise<void> {
    await this.c.libp2p.handle(SYNC_PROTOCOL, (stream, connection) => this.serve(stream, connection), {
      maxInboundStreams: MAX_INBOUND_SESSIONS,
    })
    if (this.init.onConnect ?? true) {
      this.c.libp2p.addEventListener('peer:connect', this.onConnect)
      for (const peer of this.c.libp2p.getPeers()) this.connected(peer) // connected before we started
    }
    const every = this.init.intervalMs ?? SYNC_INTERVAL_MS
    if (every > 0) this.timer = setInterval(() => void this.syncAll(), every)
  }

  /** Stops serving and pulling; sessions in progress are aborted (records already stored stay stored). */
  async stop(): Promise<void> {
    this.stopping = true
    this.c.libp2p.removeEventListener('peer:connect', this.onConnect)
    if (this.timer !== undefined) clearInterval(this.timer)
    for (const t of this.pendingConnects) clearTimeout(t)
    this.pendingConnects.clear()
    await this.c.libp2p.unhandle(SYNC_PROTOCOL)
    for (const s of this.streams) s.abort(new Error('the sync service is stopping'))
    await Promise.allSettled(this.running.values())
  }

  /** Pulls from one peer (one session at a time per peer: a second call joins the running one). */
  syncWith(peer: PeerId | Multiaddr): Promise<SyncResult> {
    if (this.stopping) return Promise.reject(new Error('the sync service is stopped'))
    const key = peer.toString()
    const existing = this.running.get(key)
    if (existing !== undefined) return existing
    const p = this.pull(peer).finally(() => this.running.delete(key))
    this.running.set(key, p)
    return p
  }

  /** One session with every connected, admitted peer, one after the other. */
  async syncAll(): Promise<SyncResult[]> {
    const out: SyncResult[] = []
    for (const peer of this.c.libp2p.getPeers()) {
      if (this.c.admits !== undefined && !this.c.admits(peer.toString())) continue
      try {
        out.push(await this.syncWith(peer))
      } catch {
        // logged and scored in pull()
      }
    }
    return out
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => this.connected(evt.detail)

  /**
   * §7 a newly connected peer: pull once it is admitted. The short delay lets the gate register the connection
   * first (libp2p may announce the peer before the connection's own listeners ran).
   */
  private connected(peer: PeerId): void {
    const t = setTimeout(() => {
      this.pendingConnects.delete(t)
      const admitted = this.c.whenAdmitted?.(peer.toString()) ?? Promise.resolve(true)
      admitted.then((ok) => {
        if (!ok || this.stopping || (this.c.admits !== undefined && !this.c.admits(peer.toString()))) return
        this.syncWith(peer).catch(() => {}) // logged and scored in pull()
      }, () => {})
    }, CONNECT_SYNC_DELAY_MS)
    this.pendingConnects.add(t)
  }

  private async pull(peer: PeerId | Multiaddr): Promise<SyncResult> {
    const mine = await this.c.index.snapshot()
    const connection = await this.c.libp2p.dial(peer)
    const remote = connection.remotePeer.toString()
    const stream = await connection.newStream(SYNC_PROTOCOL)
    this.streams.add(stream)
    try {
      const report = await initiate(stream, mine, this.c.index.tombstones(), {
        accept: (bytes) => this.c.accept(bytes, remote),
        onStored: (digest) => this.c.index.add(digest),
      }, this.init.timeouts ?? DEFAULT_TIMEOUTS)
      this.c.log?.(`sync: pulled from ${remote}: ${report.accepted} new, ${report.rounds} rounds, ${report.bytesSent + report.bytesReceived} bytes`)
      return { peer: remote, ...report }
    } catch (err) {
      this.fault(stream, remote, err)
      throw err
    } finally {
      this.streams.delete(stream)
    }
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    // A peer may ask before our side of the hello has finished: wait for the gate's verdict (it is time-bounded).
    const admitted = this.c.admits === undefined || this.c.admits(remote) || (await this.c.whenAdmitted?.(remote)) === true
    if (this.stopping || !admitted) {
      stream.abort(new Error(this.stopping ? 'the sync service is stopping' : 'not admitted'))
      return
    }
    this.streams.add(stream)
    try {
      await respond(stream, await this.c.index.snapshot(), this.c.store, this.init.timeouts ?? DEFAULT_TIMEOUTS)
    } catch (err) {
      this.fault(stream, remote, err)
    } finally {
      this.streams.delete(stream)
    }
  }

  /** §7 protocol violations reset the stream and score the peer down; other failures just end the session. */
  private fault(stream: Stream, remote: string, err: unknown): void {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    if (err instanceof SyncError) {
      this.violations.set(err.code, (this.violations.get(err.code) ?? 0) + 1)
      this.c.penalise?.(remote, PENALTY_POINTS)
      this.c.log?.(`sync: ${remote} cut off: ${err.code}: ${err.message}`)
    } else {
      this.c.log?.(`sync: session with ${remote} failed: ${(err as Error).message}`)
    }
  }
}
