/**
 * A site's local alignment state (alignment-v1 §4–§5): drafts — bundles imported but not yet published, kept as
 * RFC 8742 sequences under DIR/align/drafts/ — and review decisions — signed AlignmentReview records appended to
 * DIR/align/reviews.cbor, local unless the operator publishes one as an endorsement. Writes are atomic (temp file +
 * rename, fsync) so a crash leaves the previous state.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeRecord } from '../../protocol/index.ts'
import type { AlignmentReviewBody, DecodedRecord } from '../../protocol/index.ts'
import { joinSequence, splitSequence } from '../records/sequence.ts'
import { writeFileSynced } from '../site/synced-file.ts'

export const alignPaths = (siteDir: string) => ({
  drafts: join(siteDir, 'align', 'drafts'),
  reviews: join(siteDir, 'align', 'reviews.cbor'),
})


function decodeAll(bytes: Uint8Array, what: string): DecodedRecord[] {
  return splitSequence(bytes).map((item) => {
    if ('error' in item) throw new Error(`${what}: ${item.error} at byte ${item.offset}`)
    const o = decodeRecord(item.bytes)
    if (o.action !== 'accept') throw new Error(`${what}: a record does not decode (${o.code})`)
    return o.record
  })
}

/** A draft: the manifest first, then its chunks. */
export async function saveDraft(siteDir: string, records: DecodedRecord[]): Promise<string> {
  const { drafts } = alignPaths(siteDir)
  await mkdir(drafts, { recursive: true, mode: 0o700 })
  await writeFileSynced(join(drafts, `${records[0]!.id}.cbor`), joinSequence(records.map((r) => r.bytes)))
  return records[0]!.id
}

export async function loadDraft(siteDir: string, id: string): Promise<DecodedRecord[] | undefined> {
  if (!/^[a-z0-9]+$/.test(id)) return undefined
  try {
    return decodeAll(await readFile(join(alignPaths(siteDir).drafts, `${id}.cbor`)), `draft ${id}`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export async function listDrafts(siteDir: string): Promise<string[]> {
  try {
    return (await readdir(alignPaths(siteDir).drafts)).filter((f) => f.endsWith('.cbor')).map((f) => f.slice(0, -5)).sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

export async function loadReviews(siteDir: string): Promise<DecodedRecord<'AlignmentReview'>[]> {
  try {
    return decodeAll(await readFile(alignPaths(siteDir).reviews), 'reviews') as DecodedRecord<'AlignmentReview'>[]
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

export async function addReview(siteDir: string, review: DecodedRecord<'AlignmentReview'>): Promise<void> {
  const all = await loadReviews(siteDir)
  await mkdir(join(siteDir, 'align'), { recursive: true, mode: 0o700 })
  await writeFileSynced(alignPaths(siteDir).reviews, joinSequence([...all.map((r) => r.bytes), review.bytes]))
}

/** §4: the decision in force per bundle — the latest by `created` (ties: the later-written). */
export function decisions(reviews: readonly DecodedRecord<'AlignmentReview'>[]): Map<string, { decision: AlignmentReviewBody['decision']; reason: string; created: number; id: string }> {
  const out = new Map<string, { decision: AlignmentReviewBody['decision']; reason: string; created: number; id: string }>()
  for (const r of reviews) {
    const b = r.body as AlignmentReviewBody
    const k = b.bundle.toString()
    const prev = out.get(k)
    if (prev === undefined || r.created >= prev.created) out.set(k, { decision: b.decision, reason: b.reason, created: r.created, id: r.id })
  }
  return out
}
