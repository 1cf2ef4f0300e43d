/**
 * Egress accounting for one site: counts every plaintext byte the site sends to each peer and scans it for weight
 * bytes, at the last point before Noise encrypts it (simulations/README.md § Egress accounting).
 *
 * Tap point: a wrapper around the connection encrypter. libp2p 3's upgrader hands the raw connection to
 * `secureOutbound/secureInbound`; Noise returns a MessageStream whose `sendData(plaintext)` encrypts and writes to
 * the socket. The wrapper patches `sendData` on that returned stream, so every byte of every muxed stream (yamux
 * frames included) passes the tap exactly once, in order, before encryption.
 *
 * @example
 * const monitor = new EgressMonitor({ index: new WeightIndex(files), block: true })
 * createLibp2p({ connectionEncrypters: [monitor.wrap(noise())], ... })
 */
import type { ConnectionEncrypter, SecuredConnection } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { wrapEncrypter } from '../wrap-encrypter.ts'
import { EgressScanner } from './scanner.ts'
import type { WeightHit } from './scanner.ts'
import type { WeightIndex } from './weight-index.ts'
import { EGRESS_EVENTS_KEPT } from './constants.ts'

export interface EgressEvent {
  /** Remote PeerId (string form). */
  peer: string
  hit: WeightHit
  /** True when the send was refused and the connection aborted. */
  blocked: boolean
}

export interface EgressMonitorInit {
  /** The site's own weight files; without it only bytes are counted. */
  index?: WeightIndex
  /** Refuse a send that carries weight bytes and abort its connection (default false: report only). */
  block?: boolean
  onEvent?: (e: EgressEvent) => void
}

interface SendResult { sentBytes: number; canSendMore: boolean }
interface Patchable { sendData(data: Uint8ArrayList): SendResult; abort(err: Error): void }

export class WeightEgressError extends Error {
  readonly code = 'weight-egress'
  constructor(readonly hit: WeightHit) {
    super(`outgoing data carries ${hit.length} weight bytes (${hit.weights.file} @ ${hit.weights.offset})`)
    this.name = 'WeightEgressError'
  }
}

export class EgressMonitor {
  /** Plaintext bytes sent, all peers. */
  bytesSent = 0
  readonly bytesByPeer = new Map<string, number>()
  /** Weight bytes found in outgoing plaintext (blocked or not). */
  weightBytes = 0
  /** The newest EGRESS_EVENTS_KEPT events (bounded: a long-running site); `eventCount` counts them all. */
  readonly events: EgressEvent[] = []
  eventCount = 0
  /** Connections tapped so far. */
  connections = 0

  constructor(private readonly init: EgressMonitorInit = {}) {}

  /** Wraps a libp2p connection-encrypter factory (e.g. `noise()`) so its plaintext passes this monitor. */
  wrap<C>(factory: (components: C) => ConnectionEncrypter): (components: C) => ConnectionEncrypter {
    return wrapEncrypter(factory, { secured: (s) => this.tap(s) })
  }

  private tap<E>(secured: SecuredConnection<E>): SecuredConnection<E> {
    const peer = secured.remotePeer.toString()
    const stream = secured.connection as unknown as Patchable
    if (typeof stream.sendData !== 'function') throw new Error('egress tap: encrypter returned a stream without sendData')
    const send = stream.sendData.bind(stream)
    const scanner = this.init.index != null ? new EgressScanner(this.init.index) : undefined
    this.connections++
    stream.sendData = (data: Uint8ArrayList): SendResult => {
      if (scanner != null) {
        const hits = scanner.push(data.subarray())
        if (hits.length > 0) {
          const blocked = this.init.block === true
          for (const hit of hits) this.record({ peer, hit, blocked })
          if (blocked) {
            stream.abort(new WeightEgressError(hits[0]))
            return { sentBytes: data.byteLength, canSendMore: false }
          }
        }
      }
      this.bytesSent += data.byteLength
      this.bytesByPeer.set(peer, (this.bytesByPeer.get(peer) ?? 0) + data.byteLength)
      return send(data)
    }
    return secured
  }

  private record(e: EgressEvent): void {
    this.weightBytes += e.hit.length
    this.eventCount++
    this.events.push(e)
    if (this.events.length > EGRESS_EVENTS_KEPT) this.events.shift()
    this.init.onEvent?.(e)
  }
}
