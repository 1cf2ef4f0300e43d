/**
 * The door's releasability step (specs/alignment-v1.md §2, rules O1, O2, O4): what may enter a site by which
 * entrance. A restricted chunk never arrives by gossip, sync or hello (the sender broke O1 knowingly: the label is in
 * the signed chunk) — REJECT `restricted_content`; a chunk under embargo is IGNOREd `embargoed` by peers' entrances;
 * a chunk fetched over /aip/share/1.0.0 is kept only when a manifest this site holds lists it and names this site —
 * else REJECT `not_in_audience`. The operator's own entrances (api, import, local) are not refused here.
 */
import { broadcastRefusal, embargoed } from '../../protocol/index.ts'
import type { AlignmentChunkBody, DecodedRecord } from '../../protocol/index.ts'
import type { AdmitOutcome, Source } from './outcome.ts'

/** Whether a chunk fetched by share may be kept (ShareService.mayKeep); absent = no share service: keep nothing. */
export type ShareKeeps = (chunkId: string) => boolean

export function releaseRefusal(record: DecodedRecord, source: Source, now: number, shareKeeps: ShareKeeps | undefined): AdmitOutcome | undefined {
  if (record.type !== 'AlignmentChunk') return undefined
  const id = record.id
  switch (source.via) {
    case 'gossip': case 'sync': case 'hello': {
      const r = broadcastRefusal(record.type, record.body, now)
      if (r === 'restricted_content') return { action: 'reject', code: r, message: `a ${(record.body as AlignmentChunkBody).label} chunk travels only by /aip/share/1.0.0 (alignment-v1 O1)`, id }
      if (r === 'embargoed') return { action: 'ignore', code: r, message: 'under embargo (alignment-v1 O2)', id }
      return undefined
    }
    case 'share': {
      if (embargoed(record.body as AlignmentChunkBody, now)) return { action: 'ignore', code: 'embargoed', message: 'under embargo (alignment-v1 O2)', id }
      if (shareKeeps?.(id) !== true) return { action: 'reject', code: 'not_in_audience', message: 'no manifest held here lists this chunk for this site (alignment-v1 O4)', id }
      return undefined
    }
    default:
      return undefined
  }
}
