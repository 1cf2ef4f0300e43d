/**
 * Retraction (spec §4.5): a signer withdraws one of its own records (a wrong result; an erasure request). It is a
 * tombstone: stores and sync keep it so the target is not fetched again. It only has effect on a target signed by
 * the same key.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap } from '../cbor.ts'
import { fields, link, longText } from './schema.ts'

export interface RetractionBody {
  target: CID
  reason: string
}

export function parseRetraction(m: CborMap): RetractionBody {
  fields(m, 'Retraction', ['target', 'reason'])
  return { target: link(m.target, 'target'), reason: longText(m.reason, 'reason') }
}
