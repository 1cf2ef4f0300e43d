/**
 * Alignment exchange inside a running site (specs/alignment-v1.md §2–§3): the /aip/share/1.0.0 service, the door's
 * O4 check bound to it, restricted and embargoed chunks held back from sync (O1–O2) and released when an embargo
 * ends, manifests noted so this site fetches what it is in the audience of, and releasability violations logged and
 * counted per sending peer.
 */
import { Counter } from 'prom-client'
import type { Registry } from 'prom-client'
import { broadcastRefusal, decodeRecord, isRestricted } from '../../protocol/index.ts'
import type { AlignmentChunkBody, DecodedRecord } from '../../protocol/index.ts'
import type { Network } from '../net/network.ts'
import type { NetLog } from '../net/log.ts'
import type { RecordDoor } from '../records/index.ts'
import type { RecordStore } from '../store/store.ts'
import { digestOfId } from '../sync/index.ts'
import type { SyncIndex } from '../sync/index.ts'
import { ShareService } from './share.ts'

/** Longest single timer (setTimeout's limit); a later embargo is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** The IDs of stored chunks sync must not offer now (alignment-v1 O1–O2): for SyncIndex.load. */
export async function heldBackChunks(store: RecordStore, now: number): Promise<string[]> {
  const out: string[] = []
  for await (const info of store.list({ type: 'AlignmentChunk' })) {
    const bytes = await store.get(info.id)
    const o = bytes === undefined ? undefined : decodeRecord(bytes)
    if (o?.action === 'accept' && broadcastRefusal(o.record.type, o.record.body, now) !== undefined) out.push(info.id)
  }
  return out
}

export interface AlignmentComponents {
  siteKey: Uint8Array
  door: RecordDoor
  store: RecordStore
  index?: SyncIndex
  network: Network
  registry?: Registry
  log: NetLog
  now(): number
}

export class SiteAlignment {
  readonly share: ShareService
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly violations: Counter | undefined

  private constructor(private readonly c: AlignmentComponents) {
    const gate = c.network.gate
    this.share = new ShareService({
      libp2p: c.network.host.libp2p,
      admitted: (peer) => {
        const a = gate.admittedPeers().find((p) => p.peerId === peer)
        return a === undefined ? undefined : { key: a.siteKey, nation: a.nation }
      },
      self: () => ({ key: c.siteKey, nation: c.door.trust.siteAt(c.siteKey, c.now())?.nation }),
      store: c.store,
      admit: (bytes, peer) => c.door.admit(bytes, { via: 'share', peer }),
      now: c.now,
      log: (event, fields) => c.log(event, fields),
    })
    this.violations = c.registry === undefined ? undefined : new Counter({
      name: 'aip_releasability_violations_total', help: 'Records refused because a peer sent content it must not (alignment-v1 O1, O4)',
      labelNames: ['code'], registers: [c.registry],
    })
  }

  static async start(c: AlignmentComponents): Promise<SiteAlignment> {
    const a = new SiteAlignment(c)
    c.door.bindShare((chunk) => a.share.mayKeep(chunk))
    c.door.on('stored', ({ record, source }) => a.stored(record, 'peer' in source ? source.peer : undefined))
    c.door.on('outcome', ({ outcome, source }) => {
      if (outcome.code !== 'restricted_content' && outcome.code !== 'not_in_audience') return
      a.violations?.inc({ code: outcome.code })
      // alignment-v1 O1: refuse, keep nothing, alert, and record who sent it
      c.log('releasability_violation', { code: outcome.code, id: outcome.id, via: source.via, peer: 'peer' in source ? source.peer : undefined })
    })
    await a.share.start()
    for (const id of await heldBackChunks(c.store, c.now())) {
      const bytes = await c.store.get(id)
      const o = bytes === undefined ? undefined : decodeRecord(bytes)
      if (o?.action === 'accept') a.armRelease(o.record)
    }
    return a
  }

  private stored(record: DecodedRecord, peer: string | undefined): void {
    if (record.type === 'AlignmentBundle') this.share.note(record, peer)
    this.share.noteChunk(record)
    if (record.type !== 'AlignmentChunk' || broadcastRefusal(record.type, record.body, this.c.now()) === undefined) return
    this.c.index?.holdBack(digestOfId(record.id))
    this.armRelease(record)
  }

  /** An embargoed (not restricted) chunk travels once its embargo ends: into sync, and gossiped. */
  private armRelease(record: DecodedRecord): void {
    const body = record.body as AlignmentChunkBody
    if (isRestricted(body.label) || body.embargo_until === undefined) return
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (broadcastRefusal(record.type, record.body, this.c.now()) !== undefined) return this.armRelease(record)
      this.c.index?.release(digestOfId(record.id))
      this.c.network.forward(record).catch((err: unknown) => this.c.log('forward_failed', { id: record.id, error: String(err) }))
    }, Math.min(MAX_TIMER_MS, Math.max(0, body.embargo_until - this.c.now())))
    this.timers.add(t)
  }

  status(): Record<string, unknown> {
    return { share: Object.fromEntries(this.share.counts), embargoTimers: this.timers.size }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t)
    await this.share.stop()
  }
}
