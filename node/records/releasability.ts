/**
 * The door's releasability step (specs/alignment-v1.md §2, rules O1, O2, O4): what may enter a site by which
 * entrance. A restricted chunk never arrives by gossip, sync or hello (the sender broke O1 knowingly: the label is in
 * the signed chunk) — REJECT `restricted_content`; a chunk under embargo is IGNOREd `embargoed` by peers' entrances;
 * a chunk fetched over /aip/share/1.0.0 is kept only when a manifest this site holds lists it and names this site —
 * else REJECT `not_in_audience`. The operator's own entrances (api, import, local) are not refused here.
 */
import { broadcastRefusal, decodeRecord, embargoed, parseEnvelope, recordTypeOf } from '../../protocol/index.ts'
import type { AlignmentChunkBody, DecodedRecord } from '../../protocol/index.ts'
import type { AdmitOutcome, Source } from './outcome.ts'

/** Whether a chunk fetched by share may be kept (ShareService.mayKeep); absent = no share service: keep nothing. */
export type ShareKeeps = (chunk: DecodedRecord) => boolean

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
      if (shareKeeps?.(record) !== true) return { action: 'reject', code: 'not_in_audience', message: 'no manifest held here lists this chunk for this site (alignment-v1 O4)', id }
      return undefined
    }
    default:
      return undefined
  }
}

/**
 * O1 for a record this site already holds: the record layer answers a duplicate before decoding it, but a restricted
 * chunk arriving by gossip, sync or hello is a violation even at a site entitled to hold it (the sender broke O1).
 * Only AlignmentChunk envelopes are decoded here (rare as duplicates: gossip de-duplicates, sync offers only what is
 * missing), so every other duplicate stays as cheap as before.
 */
export function duplicateRefusal(bytes: Uint8Array, source: Source, now: number): AdmitOutcome | undefined {
  if (source.via !== 'gossip' && source.via !== 'sync' && source.via !== 'hello') return undefined
  try {
    if (recordTypeOf(parseEnvelope(bytes).contentType) !== 'AlignmentChunk') return undefined
  } catch {
    return undefined
  }
  const o = decodeRecord(bytes)
  if (o.action !== 'accept') return undefined
  const r = releaseRefusal(o.record, source, now, undefined)
  return r?.code === 'restricted_content' ? r : undefined
}
