/**
 * A site's local alignment state (alignment-v1 §4–§5): drafts — bundles imported but not yet published, kept as
 * RFC 8742 sequences under DIR/align/drafts/ — and review decisions — signed AlignmentReview records, one file each
 * under DIR/align/reviews/ (named by record ID), local unless the operator publishes one as an endorsement. Writes are
 * atomic (temp file + rename, fsync) so a crash leaves the previous state, and a decision never rewrites another: two
 * processes deciding at once (the CLI and the dashboard) cannot lose each other's review.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeRecord } from '../../protocol/index.ts'
import type { DecodedRecord } from '../../protocol/index.ts'
import { joinSequence, splitSequence } from '../records/sequence.ts'
import { writeFileSynced } from '../site/synced-file.ts'

export const alignPaths = (siteDir: string) => ({
  drafts: join(siteDir, 'align', 'drafts'),
  reviews: join(siteDir, 'align', 'reviews'),
  /** Before one file per review: every review in one sequence, rewritten on each decision. Still read. */
  legacyReviews: join(siteDir, 'align', 'reviews.cbor'),
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
  const { reviews, legacyReviews } = alignPaths(siteDir)
  const out = decodeAll(await readIfExists(legacyReviews) ?? new Uint8Array(0), 'reviews')
  let files: string[] = []
  try {
    files = (await readdir(reviews)).filter((f) => /^[a-z0-9]+\.cbor$/.test(f)).sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  for (const f of files) {
    const bytes = await readIfExists(join(reviews, f))
    if (bytes !== undefined) out.push(...decodeAll(bytes, `review ${f}`))
  }
  for (const r of out) if (r.type !== 'AlignmentReview') throw new Error(`reviews: a ${r.type} record among the reviews`)
  return out as DecodedRecord<'AlignmentReview'>[]
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export async function addReview(siteDir: string, review: DecodedRecord<'AlignmentReview'>): Promise<void> {
  const { reviews } = alignPaths(siteDir)
  await mkdir(reviews, { recursive: true, mode: 0o700 })
  await writeFileSynced(join(reviews, `${review.id}.cbor`), review.bytes)
}
