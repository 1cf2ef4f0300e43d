/**
 * The dashboard's alignment review queue (issue 16; specs/alignment-v1.md §4–§5), inside the running node: the same
 * service `aip align review|approve|reject` uses (node/align/service.ts), on the node's own store and door. The page
 * verifies the bundles, their chunks and the site's signed reviews itself; what it takes from here is the scrub
 * report (the personal-data detectors do not run in the browser) and the one action, a signed decision.
 */
import type { PublishOutcome } from '../api/types.ts'
import { infoToJson } from '../api/types.ts'
import { decide, listBundles, scrubBundle } from '../align/service.ts'
import type { BundleSummary } from '../align/service.ts'
import { loadReviews } from '../align/state.ts'
import type { Hit } from '../align/scrub.ts'
import type { RecordAccess } from '../records/access.ts'
import type { RecordDoor } from '../records/door.ts'
import type { Site } from '../site/dir.ts'
import type { RecordStore } from '../store/store.ts'
import { MAX_SCRUB_HITS_SHOWN } from './constants.ts'

export interface QueueEntry extends BundleSummary {
  /** The node's scrub of the bundle's items (alignment-v1 §5); absent while a chunk is missing. */
  scrub?: { hits: number; shown: Hit[]; digest: string }
}

export interface UiAlign {
  bundles(): Promise<QueueEntry[]>
  /** The site's AlignmentReview records (DIR/align/reviews/), as signed. */
  reviews(): Promise<Uint8Array[]>
  decide(bundle: string, decision: 'approve' | 'reject', reason: string): Promise<{ review: string }>
}

export interface UiAlignComponents {
  site: Site
  store: RecordStore
  door: RecordDoor
  /** Publishes one of the operator's records through the node (for RecordAccess; decisions stay local). */
  publish(bytes: Uint8Array): Promise<PublishOutcome>
  now(): number
}

export function uiAlign(c: UiAlignComponents): UiAlign {
  const access: RecordAccess = {
    via: 'store', site: c.site,
    async *list(q) { for await (const i of c.store.list(q)) yield infoToJson(i) },
    get: (id) => c.store.get(id),
    trust: async () => c.door.trust,
    publish: (bytes) => c.publish(bytes),
    close: async () => {},
  }
  return {
    async bundles() {
      const out: QueueEntry[] = []
      for (const b of await listBundles(access)) {
        if (b.status === 'draft' || b.status === 'incomplete') { out.push(b); continue }
        const { report, digest } = await scrubBundle(access, b.id)
        out.push({ ...b, scrub: { hits: report.hits.length, shown: report.hits.slice(0, MAX_SCRUB_HITS_SHOWN), digest } })
      }
      return out
    },
    reviews: async () => (await loadReviews(c.site.dir)).map((r) => r.bytes),
    // §4: the decision is local (as `aip align approve` without --publish): endorsing it publicly stays a CLI act
    decide: async (bundle, decision, reason) => ({ review: (await decide(access, bundle, decision, reason, c.now(), false)).review }),
  }
}
