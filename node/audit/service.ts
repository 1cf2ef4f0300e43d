/**
 * `/aip/audit/1.0.0` between admitted peers (specs/audit-v1.md §4.4, §7): serves this site's tiles and checkpoint,
 * cosigns other sites' checkpoints as a witness, and asks every admitted peer of another nation to cosign this
 * site's latest checkpoint. A log's key is bound to the peer's certified identity: the origin and key of a peer's
 * log are derived from the site key and nation its certificate gives (never from what the peer claims).
 */
import type { Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import {
  AUDIT_PROTOCOL, AuditError, auditOrigin, cosignatureVerifier, decodeAuditRequest, decodeAuditResponse, ed25519Verifier, encodeAuditRequest, encodeAuditResponse,
  formatNote, MAX_AUDIT_MESSAGE_BYTES, parseCheckpoint, parseNote, signatureLine, witnessName,
} from '../../protocol/index.ts'
import type { AuditRequest, AuditResponse } from '../../protocol/index.ts'
import type { NetLog } from '../net/log.ts'
import { auditResource } from './serve.ts'
import type { SiteAudit } from './site-audit.ts'

/** §4.4: how long one request may take, ms. */
export const AUDIT_REQUEST_TIMEOUT_MS = 10_000
/** §4.4: concurrent inbound streams per connection. */
export const MAX_INBOUND_AUDIT_STREAMS = 4

export interface AuditPeer {
  peerId: string
  siteKey: Uint8Array
  nation: string
}

export interface AuditServiceComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol'>
  /** The admitted peer behind a PeerId, or undefined (node/net/gate.ts admittedPeers). */
  admitted(peerId: string): AuditPeer | undefined
  admittedPeers(): AuditPeer[]
  log: NetLog
}

async function exchange(stream: Stream, request: Uint8Array): Promise<AuditResponse> {
  const lp = lpStream(stream, { maxDataLength: MAX_AUDIT_MESSAGE_BYTES })
  await lp.write(request)
  const res = decodeAuditResponse((await lp.read({ signal: AbortSignal.timeout(AUDIT_REQUEST_TIMEOUT_MS) })).subarray())
  await stream.close()
  return res
}

export class AuditService {
  /** Serialises cosign requests: the witness state is read, checked and written as one step. */
  private witnessQueue: Promise<unknown> = Promise.resolve()

  constructor(private readonly audit: SiteAudit, private readonly c: AuditServiceComponents) {}

  async start(): Promise<void> {
    await this.c.libp2p.handle(AUDIT_PROTOCOL, (stream, connection) => void this.serve(stream, connection.remotePeer.toString()), { maxInboundStreams: MAX_INBOUND_AUDIT_STREAMS })
  }

  async stop(): Promise<void> {
    await this.c.libp2p.unhandle(AUDIT_PROTOCOL)
    await this.witnessQueue.catch(() => undefined)
  }

  /** The origin and verifier key of an admitted peer's log (§3.2), from its certificate. */
  static logKeyOf(peer: AuditPeer) {
    return ed25519Verifier(auditOrigin(peer.nation, peer.siteKey), peer.siteKey)
  }

  private async serve(stream: Stream, peerId: string): Promise<void> {
    const peer = this.c.admitted(peerId)
    if (peer === undefined) {
      stream.abort(new Error('not admitted'))
      return
    }
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_AUDIT_MESSAGE_BYTES })
      let req: AuditRequest
      let res: AuditResponse
      try {
        req = decodeAuditRequest((await lp.read({ signal: AbortSignal.timeout(AUDIT_REQUEST_TIMEOUT_MS) })).subarray())
        res = await this.answer(req, peer)
      } catch (err) {
        if (!(err instanceof AuditError)) throw err
        res = { error: err.code, message: err.message }
      }
      await lp.write(encodeAuditResponse(res))
      await stream.close()
    } catch (err) {
      this.c.log('audit_stream_failed', { peer: peerId, err: String(err) })
      stream.abort(err as Error)
    }
  }

  private async answer(req: AuditRequest, peer: AuditPeer): Promise<AuditResponse> {
    if (req.op === 'get') {
      const r = await auditResource(this.audit, req.path)
      if (typeof r === 'string') return { error: r, message: `no ${req.path}` }
      return { ok: r.body }
    }
    const run = async (): Promise<AuditResponse> => {
      const logKey = AuditService.logKeyOf(peer)
      const last = await this.audit.witness.last(logKey.name)
      const lastSize = last === undefined ? 0 : parseCheckpoint(parseNote(last).text).size
      if (req.old !== lastSize) return { conflict: lastSize }
      const r = await this.audit.witness.cosign(req.note, req.proof, logKey)
      if (!r.ok) {
        this.c.log('audit_cosign_refused', { peer: peer.peerId, origin: logKey.name, code: r.code, message: r.message })
        return { error: r.code, message: r.message }
      }
      return { ok: new TextEncoder().encode(signatureLine(r.signature)) }
    }
    const p = this.witnessQueue.then(run, run)
    this.witnessQueue = p.catch(() => undefined)
    return p
  }

  /** Fetches a tlog-tiles resource of an admitted peer's log. */
  async get(peerId: string, path: string): Promise<Uint8Array | undefined> {
    const stream = await this.c.libp2p.dialProtocol(peerIdFromString(peerId), AUDIT_PROTOCOL)
    const res = await exchange(stream, encodeAuditRequest({ op: 'get', path }))
    return 'ok' in res ? res.ok : undefined
  }

  /**
   * §7: asks every admitted peer of another nation to cosign the latest checkpoint, with a consistency proof from
   * the size it last cosigned (retrying once from the size a witness reports). Returns how many cosignatures were added.
   */
  async requestCosignatures(): Promise<number> {
    const note = await this.audit.latest()
    if (note === undefined) return 0
    const cp = parseCheckpoint(note.text)
    let added = 0
    for (const peer of this.c.admittedPeers()) {
      if (peer.nation === this.audit.site.nation) continue
      const name = witnessName(peer.nation, peer.siteKey)
      if (note.signatures.some((s) => s.name === name)) continue
      try {
        let old = await this.lastCosigned(name)
        for (let attempt = 0; attempt < 2; attempt++) {
          const proof = old <= cp.size ? await this.audit.log.consistencyProof(old, cp.size) : []
          const stream = await this.c.libp2p.dialProtocol(peerIdFromString(peer.peerId), AUDIT_PROTOCOL)
          const res = await exchange(stream, encodeAuditRequest({ op: 'cosign', note: formatNote(note), old, proof }))
          if ('conflict' in res) { old = res.conflict; continue }
          if ('error' in res) { this.c.log('audit_cosign_failed', { peer: peer.peerId, code: res.error, message: res.message }); break }
          const line = new TextDecoder().decode(res.ok)
          const sig = parseNote(`${note.text}\n${line}`).signatures[0]!
          const v = cosignatureVerifier(name, peer.siteKey)
          if (await this.audit.addCosignatures(note.text, [sig], (s) => (s.name === name && s.keyId === v.keyId ? v : undefined)) === 1) {
            added++
            await this.audit.log.putMeta(`cosigned/${name}`, new TextEncoder().encode(String(cp.size)))
          }
          break
        }
      } catch (err) {
        this.c.log('audit_cosign_failed', { peer: peer.peerId, err: String(err) })
      }
    }
    return added
  }

  private async lastCosigned(name: string): Promise<number> {
    const v = await this.audit.log.getMeta(`cosigned/${name}`)
    return v === undefined ? 0 : Number(new TextDecoder().decode(v))
  }
}
