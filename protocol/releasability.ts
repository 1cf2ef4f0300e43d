/**
 * Releasability (specs/alignment-v1.md §2): who may hold and who may pass on the items of an alignment bundle, judged
 * from the signed label, audience and embargo alone. Pure: the caller supplies the sites' keys, nations and the time.
 */
import type { AlignmentBundleBody, AlignmentChunkBody, TlpLabel } from './records/alignment-bundle.ts'
import { isRestricted } from './records/alignment-bundle.ts'
import type { AlignmentReviewBody } from './records/alignment-review.ts'
import type { DecodedRecord } from './records/index.ts'

/** A site as releasability sees it: its key and the nation its certificate names (undefined = not certified). */
export interface SiteIdentity {
  key: Uint8Array
  nation?: string
}

/** Why content may not go somewhere (alignment-v1 §3 ShareCode, O1, O2). */
export type ReleaseRefusal = 'not_in_audience' | 'embargoed' | 'restricted_content'

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0

/**
 * §2: whether `site` may hold the items of a bundle signed by `signer`. CLEAR: anyone; GREEN: any certified site;
 * AMBER: a listed nation, a nation of a listed group, or a listed site; AMBER+STRICT and RED: a listed site. The signer
 * is always in its audience.
 */
export function inAudience(bundle: Pick<AlignmentBundleBody, 'label' | 'audience'>, signer: Uint8Array, site: SiteIdentity): boolean {
  if (same(signer, site.key)) return true
  switch (bundle.label) {
    case 'TLP:CLEAR': return true
    case 'TLP:GREEN': return site.nation !== undefined
    default: {
      const a = bundle.audience
      if (a === undefined || site.nation === undefined) return false
      if (a.sites?.some((k) => same(k, site.key))) return true
      if (bundle.label !== 'TLP:AMBER') return false
      return (a.nations?.includes(site.nation) ?? false) || (a.groups?.some((g) => g.nations.includes(site.nation!)) ?? false)
    }
  }
}

/** R4/O2: whether the items are still under embargo at `now`. */
export function embargoed(x: { embargo_until?: number }, now: number): boolean {
  return x.embargo_until !== undefined && x.embargo_until > now
}

/**
 * O1/O2: whether a record may travel by gossip, sync or hello. Restricted chunks never do; an embargoed chunk not
 * before its time. Every other record type may (its manifest included).
 */
export function broadcastRefusal(type: string, body: unknown, now: number): ReleaseRefusal | undefined {
  if (type !== 'AlignmentChunk') return undefined
  const chunk = body as AlignmentChunkBody
  if (isRestricted(chunk.label)) return 'restricted_content'
  if (embargoed(chunk, now)) return 'embargoed'
  return undefined
}

/**
 * O3: whether `server` may serve a chunk of `bundle` (signed by `signer`) to `requester` over /aip/share/1.0.0.
 * RED: only the bundle's signer serves; AMBER and AMBER+STRICT: any holder that is itself in the audience.
 */
export function shareRefusal(bundle: Pick<AlignmentBundleBody, 'label' | 'audience' | 'embargo_until'>, signer: Uint8Array,
  server: SiteIdentity, requester: SiteIdentity, now: number): ReleaseRefusal | undefined {
  if (embargoed(bundle, now)) return 'embargoed'
  if (!inAudience(bundle, signer, requester)) return 'not_in_audience'
  if (bundle.label === 'TLP:RED' && !same(server.key, signer)) return 'not_in_audience'
  if (!inAudience(bundle, signer, server)) return 'not_in_audience'
  return undefined
}

/** §2: whether the label allows export outside the federation (only TLP:CLEAR). */
export const exportableOutsideFederation = (label: TlpLabel): boolean => label === 'TLP:CLEAR'

/** A bundle's review decision in force (§4). */
export interface DecisionInForce {
  decision: AlignmentReviewBody['decision']
  reason: string
  created: number
  id: string
}

/**
 * §4: the decision in force per bundle (keyed by the bundle's record ID) — the latest by `created`, on a tie the one
 * with the greater record ID, so every reader (the node, the dashboard) gets the same answer in any order. The caller
 * passes only reviews it has verified as its own site's.
 */
export function decisionsInForce(reviews: Iterable<DecodedRecord<'AlignmentReview'>>): Map<string, DecisionInForce> {
  const out = new Map<string, DecisionInForce>()
  for (const r of reviews) {
    const b = r.body as AlignmentReviewBody
    const k = b.bundle.toString()
    const prev = out.get(k)
    if (prev === undefined || r.created > prev.created || (r.created === prev.created && r.id > prev.id)) out.set(k, { decision: b.decision, reason: b.reason, created: r.created, id: r.id })
  }
  return out
}
