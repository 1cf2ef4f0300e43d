/**
 * AlignmentReview (spec §4.10, alignment-v1 §4): a site's decision on an alignment bundle it received — approve or
 * reject, with a reason. Kept in the deciding site's store; published only when the operator chooses to endorse.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap } from '../cbor.ts'
import { fields, link, longText, oneOf } from './schema.ts'

export const REVIEW_DECISIONS = ['approve', 'reject'] as const
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number]

export interface AlignmentReviewBody {
  bundle: CID
  decision: ReviewDecision
  reason: string
}

export function parseAlignmentReview(m: CborMap): AlignmentReviewBody {
  fields(m, 'AlignmentReview', ['bundle', 'decision', 'reason'])
  return { bundle: link(m.bundle, 'bundle'), decision: oneOf(m.decision, 'decision', REVIEW_DECISIONS), reason: longText(m.reason, 'reason', 1) }
}
