/**
 * The /aip/share/1.0.0 service (specs/alignment-v1.md §3): restricted chunks move only here, only to admitted peers
 * whose certificate places them in the bundle's audience (rule O3), and a site keeps a chunk it fetched only when a
 * manifest it holds lists it and names this site in its audience (O4). When a restricted manifest for this site
 * arrives, the service fetches its chunks — from the peer that sent it, then from any admitted peer in the audience —
 * in requests of SHARE_FETCH_CHUNKS, up to SHARE_FETCH_INFLIGHT of them open to one peer at once (each response is
 * admitted while the next is on the wire), retrying with backoff.
 *
 * Every check happens once per chunk: the server answers from the chunk's remembered signer and label (noteChunk) and
 * the store's bytes, without decoding; the requester hashes each received envelope once to drop what it did not ask
 * for, and the door decodes, verifies and stores it once (O4 through mayKeep). The door hashes the bytes again (about
 * 0.7 ms of CPU per MB: bench/alignment.ts measures what each step costs).
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import {
  decodeRecord, decodeShareRequest, decodeShareResponse, encodeShareRequest, encodeShareResponseParts, inAudience, isRestricted,
  MAX_ENVELOPE_BYTES, MAX_SHARE_REQUEST_CHUNKS, MAX_SHARE_RESPONSE_BYTES, parseRecordId, recordId, SHARE_PROTOCOL, SHARE_TIMEOUT_MS, shareRefusal,
} from '../../protocol/index.ts'
import type { AlignmentBundleBody, DecodedRecord, ShareCode, ShareRequest, SiteIdentity, TlpLabel } from '../../protocol/index.ts'

/** Fetch attempts per restricted bundle before waiting for the next manifest or rescan. */
export const SHARE_FETCH_ATTEMPTS = 5
/** First retry delay (ms); doubles per attempt. */
export const SHARE_RETRY_BASE_MS = 500
/** Concurrent inbound share streams per connection. */
export const SHARE_MAX_INBOUND_STREAMS = 4
/** Bytes of fetched chunks in the door at once: half the alignment validation queue's budget (network-v1 §7). */
export const SHARE_ADMIT_BYTES = 8 * 1024 * 1024
/**
 * alignment-v1 §3, §7: chunks per request when fetching a bundle — small enough that the first response is being
 * verified and stored while the next one is on the wire, large enough that a request costs little: each costs a
 * stream, a store read at the server and a synced batch at the requester. Measured on the bench's 40-chunk bundle,
 * three sites in one process, deliveries alternated at load ~15: 16 × 2 against one 40-chunk request, 20 deliveries,
 * CPU 3.93 s vs 3.98 s and median wall 1.02 s vs 1.00 s (the same); requests of 8 chunks, 3 open, cost ~10 % more.
 */
export const SHARE_FETCH_CHUNKS = 16
/**
 * alignment-v1 §3, §7: requests open to one peer at once, every fetch from that peer together (below the server's
 * SHARE_MAX_INBOUND_STREAMS). A request holds its slot until its records are admitted, so what a peer can make this
 * site hold is bounded: SHARE_FETCH_INFLIGHT responses, each at most shareResponseBound(its chunks) bytes.
 */
export const SHARE_FETCH_INFLIGHT = 2

/**
 * alignment-v1 §3: the longest response a request for `chunks` chunks can need — each envelope at most
 * MAX_ENVELOPE_BYTES plus its byte-string head, or a refusal (well under 64 bytes) — and never more than
 * MAX_SHARE_RESPONSE_BYTES. A longer length prefix is refused before its bytes are read.
 */
export const shareResponseBound = (chunks: number): number => Math.min(MAX_SHARE_RESPONSE_BYTES, 16 + chunks * (MAX_ENVELOPE_BYTES + 64))

interface Manifest { id: string; signer: Uint8Array; body: AlignmentBundleBody }
/** What O3/O4 need of a chunk: its ID, signer and label. */
interface ChunkMeta { id: string; signer: Uint8Array; label: string }
const metaOf = (chunk: DecodedRecord): ChunkMeta => ({ id: chunk.id, signer: chunk.signer, label: (chunk.body as { label?: string }).label ?? '' })

export interface ShareComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dial' | 'getPeers'>
  /** The identity an admitted peer's certificate gives it (node/net/gate.ts); undefined = not admitted. */
  admitted(peer: string): SiteIdentity | undefined
  /** This site's identity now (its key, and its nation while certified). */
  self(): SiteIdentity
  store: {
    get(id: string): Promise<Uint8Array | undefined>
    getMany(ids: string[]): Promise<(Uint8Array | undefined)[]>
    list(q: { type: string }): AsyncIterable<{ id: string }>
  }
  /** Admits a fetched chunk through the site's door (source `share`). */
  admit(bytes: Uint8Array, peer: string): Promise<{ action: string; code: string }>
  now(): number
  log?(event: string, fields: Record<string, unknown>): void
  /** One request, open to last byte, either side (ms; default SHARE_TIMEOUT_MS). */
  timeoutMs?: number
}

export class ShareService {
  /** chunk ID → the manifests this site holds that list it. */
  private readonly manifestsOf = new Map<string, Manifest[]>()
  /** Signer and label of chunks listed by a manifest held here (noteChunk, or decoded once when first served). */
  private readonly chunkMeta = new Map<string, ChunkMeta>()
  private readonly fetching = new Set<string>()
  /** Per peer: requests open now, and the fetches waiting for a slot (SHARE_FETCH_INFLIGHT). */
  private readonly slots = new Map<string, { open: number; waiting: Array<() => void> }>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private stopping = false
  /** Counts by outcome: served, refused codes, fetched, kept, dropped. */
  readonly counts = new Map<string, number>()

  private readonly timeoutMs: number

  constructor(private readonly c: ShareComponents) {
    this.timeoutMs = c.timeoutMs ?? SHARE_TIMEOUT_MS
  }

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
  private governing(chunk: ChunkMeta): Manifest[] {
    return (this.manifestsOf.get(chunk.id) ?? []).filter((m) => m.body.label === chunk.label && Buffer.compare(m.signer, chunk.signer) === 0)
  }

  /** O4: whether a chunk fetched by share may be kept — a governing manifest held here names this site. */
  mayKeep(chunk: DecodedRecord): boolean {
    const self = this.c.self()
    return this.governing(metaOf(chunk)).some((m) => inAudience(m.body, m.signer, self))
  }

  /**
   * A chunk this site stored: a restricted one's signer and label are remembered (about 150 bytes each), so serving it
   * needs no decoding — safe, since a chunk's ID names its bytes.
   */
  noteChunk(record: DecodedRecord): void {
    if (record.type === 'AlignmentChunk' && isRestricted((record.body as { label: TlpLabel }).label)) this.chunkMeta.set(record.id, metaOf(record))
  }

  /** A held chunk's signer and label: remembered, else decoded (and verified) once. */
  private chunkMetaOf(id: string, bytes: Uint8Array): ChunkMeta | undefined {
    const known = this.chunkMeta.get(id)
    if (known !== undefined) return known
    const o = decodeRecord(bytes)
    if (o.action !== 'accept' || o.record.id !== id || o.record.type !== 'AlignmentChunk') return undefined
    const meta = metaOf(o.record)
    this.chunkMeta.set(id, meta)
    return meta
  }

  /** O3 for one chunk (`bytes`: what the store holds under its ID): serve it, or say why not. */
  private answer(chunkId: string, bytes: Uint8Array | undefined, requester: SiteIdentity, self: SiteIdentity, now: number): Uint8Array | ShareCode {
    if (!this.manifestsOf.has(chunkId) || bytes === undefined) return 'unknown_chunk'
    const meta = this.chunkMetaOf(chunkId, bytes)
    if (meta === undefined) return 'unknown_chunk'
    let code: ShareCode = 'not_in_audience'
    for (const m of this.governing(meta)) {
      const refusal = shareRefusal(m.body, m.signer, self, requester, now)
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
    const signal = AbortSignal.timeout(this.timeoutMs)
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
      const self = this.c.self()
      const now = this.c.now()
      const ids = req.chunks.map(String)
      const listed = ids.filter((id) => this.manifestsOf.has(id))
      const found = await this.c.store.getMany(listed)
      const byId = new Map(listed.map((id, i) => [id, found[i]]))
      for (const [i, cid] of req.chunks.entries()) {
        const a = this.answer(ids[i]!, byId.get(ids[i]!), requester, self, now)
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
      // the envelopes go out as they are (no copy of them into one response buffer)
      await lp.write(new Uint8ArrayList(...encodeShareResponseParts({ records, refused })), { signal })
      await stream.close()
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      this.c.log?.('share_error', { peer, error: String(err) })
    }
  }

  /** Waits for one of `peer`'s SHARE_FETCH_INFLIGHT request slots; the returned function gives it back. */
  private async slot(peer: string): Promise<() => void> {
    let s = this.slots.get(peer)
    if (s === undefined) this.slots.set(peer, s = { open: 0, waiting: [] })
    const slots = s
    // a released slot passes straight to the first waiter (it stays counted), so a newcomer cannot take it first
    if (slots.open >= SHARE_FETCH_INFLIGHT) await new Promise<void>((resolve) => slots.waiting.push(resolve))
    else slots.open++
    return () => {
      const next = slots.waiting.shift()
      if (next !== undefined) return next()
      if (--slots.open === 0) this.slots.delete(peer)
    }
  }

  /**
   * One request to one peer (at most MAX_SHARE_REQUEST_CHUNKS chunks, inside one of its SHARE_FETCH_INFLIGHT slots);
   * admits what comes back through the door (which applies O2/O4 and every other check); returns how many are held.
   * A record not asked for is dropped unadmitted (§3). A response longer than the request can need is refused before
   * it is read, and the whole request — dial to last byte — ends after `timeoutMs`. The records are admitted side by
   * side, up to SHARE_ADMIT_BYTES at a time, so the store commits them in a few synced batches rather than one each.
   */
  async fetchFrom(peer: string, chunkIds: string[]): Promise<number> {
    const request = encodeShareRequest({ chunks: chunkIds.map(parseRecordId) })
    const release = await this.slot(peer)
    try {
      return await this.admitAll(peer, chunkIds, await this.request(peer, request, chunkIds.length))
    } finally {
      release()
    }
  }

  /** Sends one ShareRequest and reads its ShareResponse (bounded in bytes and time); the envelopes served. */
  private async request(peer: string, request: Uint8Array, chunks: number): Promise<Uint8Array[]> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const conn = await this.c.libp2p.dial(peerIdFromString(peer), { signal })
    const stream = await conn.newStream(SHARE_PROTOCOL, { signal })
    try {
      const lp = lpStream(stream, { maxDataLength: shareResponseBound(chunks) })
      await lp.write(request, { signal })
      const res = decodeShareResponse((await lp.read({ signal })).subarray())
      await stream.close({ signal }).catch(() => {})
      return res.records
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  private async admitAll(peer: string, chunkIds: string[], records: Uint8Array[]): Promise<number> {
    const asked = new Set(chunkIds)
    const wanted: Uint8Array[] = []
    for (const bytes of records) {
      const id = recordId(bytes)
      if (!asked.delete(id)) { // not asked for, or sent twice
        this.count('dropped')
        this.c.log?.('share_unrequested', { peer, code: 'not_requested', id })
        continue
      }
      wanted.push(bytes)
    }
    let kept = 0
    for (let i = 0; i < wanted.length;) {
      const group: Uint8Array[] = []
      for (let bytes = 0; i < wanted.length && (group.length === 0 || bytes + wanted[i]!.length <= SHARE_ADMIT_BYTES); i++) {
        bytes += wanted[i]!.length
        group.push(wanted[i]!)
      }
      for (const v of await Promise.all(group.map((b) => this.c.admit(b, peer)))) {
        if (v.action === 'accept' || v.code === 'duplicate') kept++
        this.count(`fetched/${v.action}/${v.code}`)
      }
    }
    return kept
  }

  /**
   * Fetches `ids` from one peer in requests of SHARE_FETCH_CHUNKS, up to SHARE_FETCH_INFLIGHT open at once (§3): each
   * response is verified and stored while the next is on the wire. The first failed request ends the fetch from
   * this peer (rejects with its error) once the requests already open have ended. Returns how many are held.
   */
  async fetchMany(peer: string, ids: string[]): Promise<number> {
    const batches: string[][] = []
    for (let i = 0; i < ids.length; i += SHARE_FETCH_CHUNKS) batches.push(ids.slice(i, i + SHARE_FETCH_CHUNKS))
    let next = 0
    let kept = 0
    let failed: { err: unknown } | undefined
    const lane = async (): Promise<void> => {
      while (next < batches.length && failed === undefined && !this.stopping) {
        const batch = batches[next++]!
        try {
          kept += await this.fetchFrom(peer, batch)
        } catch (err) {
          failed ??= { err }
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(SHARE_FETCH_INFLIGHT, batches.length) }, lane))
    if (failed !== undefined) throw failed.err
    return kept
  }

  /** Fetches every missing chunk of a restricted manifest, peer by peer; retries with backoff. */
  private async fetchBundle(m: Manifest, first: string | undefined, attempt: number): Promise<void> {
    if (this.stopping || this.fetching.has(m.id)) return
    this.fetching.add(m.id)
    try {
      let missing = await this.missing((m.body.chunks ?? []).map(String))
      if (missing.length === 0) return
      for (const peer of this.sources(m, first)) {
        if (this.stopping) return
        try {
          await this.fetchMany(peer, missing)
        } catch (err) {
          this.c.log?.('share_fetch_failed', { peer, bundle: m.id, error: String(err) })
        }
        missing = await this.missing(missing)
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

  /** The chunks of `ids` this site does not hold: one store read per MAX_SHARE_REQUEST_CHUNKS, not one per chunk. */
  private async missing(ids: string[]): Promise<string[]> {
    const out: string[] = []
    for (let i = 0; i < ids.length; i += MAX_SHARE_REQUEST_CHUNKS) {
      const slice = ids.slice(i, i + MAX_SHARE_REQUEST_CHUNKS)
      const held = await this.c.store.getMany(slice)
      slice.forEach((id, j) => { if (held[j] === undefined) out.push(id) })
    }
    return out
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
