/**
 * The /aip/share/1.0.0 service (specs/alignment-v1.md §3): restricted chunks move only here, only to admitted peers
 * whose certificate places them in the bundle's audience (rule O3), and a site keeps a chunk it fetched only when a
 * manifest it holds lists it and names this site in its audience (O4). When a restricted manifest for this site
 * arrives, the service fetches its chunks — from the peer that sent it, then from any admitted peer in the audience —
 * in rounds of MAX_SHARE_REQUEST_CHUNKS, retrying with backoff.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import {
  decodeRecord, decodeShareRequest, decodeShareResponse, encodeShareRequest, encodeShareResponse, inAudience, isRestricted,
  MAX_SHARE_REQUEST_CHUNKS, MAX_SHARE_RESPONSE_BYTES, parseRecordId, SHARE_PROTOCOL, SHARE_TIMEOUT_MS, shareRefusal,
} from '../../protocol/index.ts'
import type { AlignmentBundleBody, DecodedRecord, ShareCode, ShareRequest, SiteIdentity } from '../../protocol/index.ts'

/** Fetch attempts per restricted bundle before waiting for the next manifest or rescan. */
export const SHARE_FETCH_ATTEMPTS = 5
/** First retry delay (ms); doubles per attempt. */
export const SHARE_RETRY_BASE_MS = 500
/** Concurrent inbound share streams per connection. */
export const SHARE_MAX_INBOUND_STREAMS = 4

interface Manifest { id: string; signer: Uint8Array; body: AlignmentBundleBody }

export interface ShareComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dial' | 'getPeers'>
  /** The identity an admitted peer's certificate gives it (node/net/gate.ts); undefined = not admitted. */
  admitted(peer: string): SiteIdentity | undefined
  /** This site's identity now (its key, and its nation while certified). */
  self(): SiteIdentity
  store: { get(id: string): Promise<Uint8Array | undefined>; has(id: string): Promise<boolean>; list(q: { type: string }): AsyncIterable<{ id: string }> }
  /** Admits a fetched chunk through the site's door (source `share`). */
  admit(bytes: Uint8Array, peer: string): Promise<{ action: string; code: string }>
  now(): number
  log?(event: string, fields: Record<string, unknown>): void
}

export class ShareService {
  /** chunk ID → the manifests this site holds that list it. */
  private readonly manifestsOf = new Map<string, Manifest[]>()
  private readonly fetching = new Set<string>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private stopping = false
  /** Counts by outcome: served, refused codes, fetched, kept, dropped. */
  readonly counts = new Map<string, number>()

  constructor(private readonly c: ShareComponents) {}

  async start(): Promise<void> {
    for await (const info of this.c.store.list({ type: 'AlignmentBundle' })) {
      const bytes = await this.c.store.get(info.id)
      const o = bytes === undefined ? undefined : decodeRecord(bytes)
      if (o?.action === 'accept') this.note(o.record, undefined)
    }
    await this.c.libp2p.handle(SHARE_PROTOCOL, (stream, conn) => this.serve(stream, conn), { maxInboundStreams: SHARE_MAX_INBOUND_STREAMS })
  }

  async stop(): Promise<void> {
    this.stopping = true
    for (const t of this.timers) clearTimeout(t)
    await this.c.libp2p.unhandle(SHARE_PROTOCOL)
  }

  private count(k: string, n = 1): void {
    this.counts.set(k, (this.counts.get(k) ?? 0) + n)
  }

  /**
   * A manifest was stored (or found at start): index its chunks; if it is restricted, names this site and chunks are
   * missing, fetch them (first from `fromPeer`, the peer it came from).
   */
  note(record: DecodedRecord, fromPeer: string | undefined): void {
    if (record.type !== 'AlignmentBundle') return
    const body = record.body as AlignmentBundleBody
    const m: Manifest = { id: record.id, signer: record.signer, body }
    for (const cid of body.chunks ?? []) {
      const list = this.manifestsOf.get(cid.toString()) ?? []
      if (!list.some((x) => x.id === m.id)) list.push(m)
      this.manifestsOf.set(cid.toString(), list)
    }
    if (isRestricted(body.label) && body.chunks !== undefined && inAudience(body, record.signer, this.c.self())) void this.fetchBundle(m, fromPeer, 0)
  }

  /**
   * The manifests that govern a chunk (O3, O4): those held here that list it, have its signer and carry its label. A
   * manifest signed by anyone else cannot widen a chunk's audience (a member re-publishing another's chunks under a
   * manifest of its own), nor can a chunk be served or kept under another label (R3).
   */
  private governing(chunk: DecodedRecord): Manifest[] {
    const label = (chunk.body as { label?: string }).label
    return (this.manifestsOf.get(chunk.id) ?? []).filter((m) => m.body.label === label && Buffer.compare(m.signer, chunk.signer) === 0)
  }

  /** O4: whether a chunk fetched by share may be kept — a governing manifest held here names this site. */
  mayKeep(chunk: DecodedRecord): boolean {
    const self = this.c.self()
    return this.governing(chunk).some((m) => inAudience(m.body, m.signer, self))
  }

  /** O3 for one chunk: serve it, or say why not. */
  private async answer(chunkId: string, requester: SiteIdentity): Promise<Uint8Array | ShareCode> {
    if (!this.manifestsOf.has(chunkId)) return 'unknown_chunk'
    const bytes = await this.c.store.get(chunkId)
    const o = bytes === undefined ? undefined : decodeRecord(bytes)
    if (bytes === undefined || o?.action !== 'accept') return 'unknown_chunk'
    let code: ShareCode = 'not_in_audience'
    for (const m of this.governing(o.record)) {
      const refusal = shareRefusal(m.body, m.signer, this.c.self(), requester, this.c.now())
      if (refusal === undefined) return bytes
      if (refusal === 'embargoed') code = 'embargoed'
    }
    return code
  }

  private async serve(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString()
    const requester = this.c.admitted(peer)
    if (requester === undefined || this.stopping) {
      stream.abort(new Error('not admitted'))
      return
    }
    const signal = AbortSignal.timeout(SHARE_TIMEOUT_MS)
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_SHARE_RESPONSE_BYTES })
      let req: ShareRequest
      try {
        req = decodeShareRequest((await lp.read({ signal })).subarray())
      } catch (err) {
        // §3: anything but a ShareRequest (a peer pushing records, say) is refused unread: reset, counted, logged
        this.count('refused/malformed_request')
        this.c.log?.('share_malformed', { peer, error: String(err) })
        stream.abort(new Error('not a ShareRequest'))
        return
      }
      const records: Uint8Array[] = []
      const refused: { chunk: (typeof req.chunks)[number]; code: ShareCode }[] = []
      let bytes = 0
      for (const cid of req.chunks) {
        const a = await this.answer(cid.toString(), requester)
        if (typeof a === 'string') {
          refused.push({ chunk: cid, code: a })
          this.count(`refused/${a}`)
          if (a === 'not_in_audience') this.c.log?.('share_refused', { peer, chunk: cid.toString(), code: a })
        } else if (bytes + a.length + 1024 <= MAX_SHARE_RESPONSE_BYTES) {
          records.push(a)
          bytes += a.length
          this.count('served')
        } // else: left out; the requester asks again for what is missing
      }
      await lp.write(encodeShareResponse({ records, refused }), { signal })
      await stream.close()
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      this.c.log?.('share_error', { peer, error: String(err) })
    }
  }

  /** Requests chunks from one peer; admits what comes back (the door applies O2/O4); returns how many were kept. */
  async fetchFrom(peer: string, chunkIds: string[]): Promise<number> {
    const conn = await this.c.libp2p.dial(peerIdFromString(peer))
    const stream = await conn.newStream(SHARE_PROTOCOL, { signal: AbortSignal.timeout(SHARE_TIMEOUT_MS) })
    const signal = AbortSignal.timeout(SHARE_TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: MAX_SHARE_RESPONSE_BYTES })
    await lp.write(encodeShareRequest({ chunks: chunkIds.map(parseRecordId) }), { signal })
    const res = decodeShareResponse((await lp.read({ signal })).subarray())
    await stream.close().catch(() => {})
    const asked = new Set(chunkIds)
    let kept = 0
    for (const bytes of res.records) {
      const o = decodeRecord(bytes)
      if (o.action !== 'accept' || !asked.has(o.record.id)) {
        this.count('dropped')
        this.c.log?.('share_unrequested', { peer, code: o.action === 'accept' ? 'not_requested' : o.code, ...(o.action === 'accept' ? { id: o.record.id } : {}) })
        continue
      }
      const v = await this.c.admit(bytes, peer)
      if (v.action === 'accept' || v.code === 'duplicate') kept++
      this.count(`fetched/${v.action}/${v.code}`)
    }
    return kept
  }

  /** Fetches every missing chunk of a restricted manifest, peer by peer; retries with backoff. */
  private async fetchBundle(m: Manifest, first: string | undefined, attempt: number): Promise<void> {
    if (this.stopping || this.fetching.has(m.id)) return
    this.fetching.add(m.id)
    try {
      const missing: string[] = []
      for (const cid of m.body.chunks ?? []) if (!(await this.c.store.has(cid.toString()))) missing.push(cid.toString())
      if (missing.length === 0) return
      const candidates = this.sources(m, first)
      for (const peer of candidates) {
        for (let i = 0; i < missing.length && !this.stopping;) {
          const batch = missing.slice(i, i + MAX_SHARE_REQUEST_CHUNKS)
          try {
            await this.fetchFrom(peer, batch)
          } catch (err) {
            this.c.log?.('share_fetch_failed', { peer, bundle: m.id, error: String(err) })
            break
          }
          i += batch.length
        }
        const still: string[] = []
        for (const id of missing) if (!(await this.c.store.has(id))) still.push(id)
        missing.splice(0, missing.length, ...still)
        if (missing.length === 0) {
          this.c.log?.('share_bundle_complete', { bundle: m.id })
          return
        }
      }
      if (attempt + 1 < SHARE_FETCH_ATTEMPTS && !this.stopping) {
        const t = setTimeout(() => {
          this.timers.delete(t)
          void this.fetchBundle(m, first, attempt + 1)
        }, SHARE_RETRY_BASE_MS * 2 ** attempt)
        this.timers.add(t)
      }
    } catch (err) {
      // a fetch still running when the node stops meets a closed store: nothing to do then
      if (!this.stopping) this.c.log?.('share_error', { bundle: m.id, error: String(err) })
    } finally {
      this.fetching.delete(m.id)
    }
  }

  /** Peers that may serve this bundle's chunks: the one it came from, then admitted peers in its audience (RED: the signer only). */
  private sources(m: Manifest, first: string | undefined): string[] {
    const out: string[] = []
    const ok = (peer: string): boolean => {
      const id = this.c.admitted(peer)
      if (id === undefined) return false
      if (m.body.label === 'TLP:RED') return Buffer.compare(id.key, m.signer) === 0
      return inAudience(m.body, m.signer, id)
    }
    if (first !== undefined && ok(first)) out.push(first)
    for (const p of this.c.libp2p.getPeers()) {
      const s = p.toString()
      if (s !== first && ok(s)) out.push(s)
    }
    return out
  }
}
