/**
 * Revocation (spec §4.4): withdraws a site key (`target_key`) or one certificate (`target`, its record CID) from
 * `effective_from` on. Signed by the root of the nation that certified it, or by the site key itself.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap } from '../cbor.ts'
import { bytes, fields, link, longText, malformed, uint } from './schema.ts'

export interface RevocationBody {
  target_key?: Uint8Array
  target?: CID
  effective_from: number
  reason: string
}

export function parseRevocation(m: CborMap): RevocationBody {
  fields(m, 'Revocation', ['effective_from', 'reason'], ['target_key', 'target'])
  if ((m.target_key === undefined) === (m.target === undefined)) malformed('Revocation', 'exactly one of target_key and target')
  const body: RevocationBody = { effective_from: uint(m.effective_from, 'effective_from'), reason: longText(m.reason, 'reason') }
  // A revoked key may be weak or even invalid: revoking it must still be expressible, so only the length is checked.
  if (m.target_key !== undefined) body.target_key = bytes(m.target_key, 'target_key', 32)
  if (m.target !== undefined) body.target = link(m.target, 'target')
  return body
}
