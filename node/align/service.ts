/**
 * Alignment bundles at a site (specs/alignment-v1.md): import files into signed drafts, scrub, publish through the
 * records port, list what the site holds with its review status, decide (approve/reject), export items. The CLI
 * (`aip align`) and tests call these; every record goes in through the records port (the node's one door).
 */
import { readFile } from 'node:fs/promises'
import { createRecord, decisionsInForce, decodeRecord, parseRecordId } from '../../protocol/index.ts'
import type { AlignmentBundleBody, AlignmentItem, DecodedRecord } from '../../protocol/index.ts'
import type { RecordAccess } from '../records/access.ts'
import type { PublishOutcome } from '../api/types.ts'
import { buildBundle, bundleItems } from './bundle.ts'
import type { BundleSpec } from './bundle.ts'
import { importItems } from './layouts.ts'
import type { ImportOptions } from './layouts.ts'
import { reportDigest, scrub } from './scrub.ts'
import type { ScrubReport } from './scrub.ts'
import { addReview, listDrafts, loadDraft, loadReviews, saveDraft } from './state.ts'

/** Largest alignment file `aip align import` reads (bytes): 1 GiB, like `aip import`. */
export const MAX_ALIGN_FILE_BYTES = 1 << 30

export type BundleStatus = 'draft' | 'own' | 'incomplete' | 'pending' | 'approved' | 'rejected'

export interface BundleSummary {
  id: string
  name: string
  kind: string
  label: string
  items: number
  chunks: number
  status: BundleStatus
  signer: string
  reason?: string
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

async function getRecord(access: RecordAccess, id: string): Promise<DecodedRecord | undefined> {
  const bytes = await access.get(id)
  if (bytes === undefined) return undefined
  const o = decodeRecord(bytes)
  return o.action === 'accept' ? o.record : undefined
}

/** §1: reads a file in a layout and signs a draft bundle (manifest + chunks). Nothing is published. */
export async function importDraft(access: RecordAccess, file: string, opts: Omit<ImportOptions, 'format'>, spec: BundleSpec, now: number): Promise<{ id: string; items: number; chunks: number; report: ScrubReport; digest: string }> {
  const buf = await readFile(file)
  if (buf.length > MAX_ALIGN_FILE_BYTES) throw new Error(`${file} is larger than ${MAX_ALIGN_FILE_BYTES} bytes`)
  const format = file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl'
  const items = importItems(new TextDecoder('utf-8', { fatal: true }).decode(buf), { ...opts, format })
  const built = buildBundle(spec, items, access.site.key, now)
  const id = await saveDraft(access.site.dir, [built.bundle, ...built.chunks])
  const report = scrub(id, items, await nations(access))
  return { id, items: items.length, chunks: built.chunks.length, report, digest: reportDigest(report) }
}

async function nations(access: RecordAccess): Promise<string[]> {
  const c = (await access.trust()).currentCharter()
  return c === undefined ? [] : [...c.charter.rootsByNation.keys()]
}

/** A bundle's manifest and items, from a draft or the store. */
export async function loadBundle(access: RecordAccess, id: string): Promise<{ record: DecodedRecord<'AlignmentBundle'>; items?: AlignmentItem[]; draft: boolean } | undefined> {
  // the store first: a published draft is a bundle like any other
  const record = await getRecord(access, id)
  if (record !== undefined) {
    if (record.type !== 'AlignmentBundle') return undefined
    const b = record as DecodedRecord<'AlignmentBundle'>
    return { record: b, items: await bundleItems(b.body, (c) => getRecord(access, c)), draft: false }
  }
  const draft = await loadDraft(access.site.dir, id)
  if (draft === undefined) return undefined
  const manifest = draft[0] as DecodedRecord<'AlignmentBundle'>
  const byId = new Map(draft.slice(1).map((r) => [r.id, r]))
  return { record: manifest, items: await bundleItems(manifest.body, async (c) => byId.get(c)), draft: true }
}

/** §5: scrub report for a draft or stored bundle. */
export async function scrubBundle(access: RecordAccess, id: string): Promise<{ report: ScrubReport; digest: string }> {
  const b = await loadBundle(access, id)
  if (b === undefined) throw new Error(`no bundle ${id} at this site`)
  if (b.items === undefined) throw new Error(`bundle ${id} is incomplete (a chunk is missing)`)
  const report = scrub(id, b.items, await nations(access))
  return { report, digest: reportDigest(report) }
}

/**
 * §5: publishes a draft — chunks first, manifest last — through the records port. Refused when the scrub finds
 * hits, unless `acceptReport` is the digest of exactly the report the scrub gives now.
 */
export async function publishDraft(access: RecordAccess, id: string, acceptReport?: string): Promise<PublishOutcome[]> {
  const draft = await loadDraft(access.site.dir, id)
  if (draft === undefined) throw new Error(`no draft ${id} (aip align list shows the drafts)`)
  const { report, digest } = await scrubBundle(access, id)
  if (report.hits.length > 0 && acceptReport !== digest) {
    throw new Error(`the scrub found ${report.hits.length} possible personal data hit(s); review them (aip align scrub ${id}) and pass --accept-report ${digest} to publish anyway`)
  }
  // the chunks side by side (the store commits them in a few synced batches), then the manifest that lists them
  const outcomes: PublishOutcome[] = await Promise.all(draft.slice(1).map((r) => access.publish(r.bytes)))
  outcomes.push(await access.publish(draft[0]!.bytes))
  return outcomes
}

/** §4: every bundle this site holds or drafted, with its status. */
export async function listBundles(access: RecordAccess): Promise<BundleSummary[]> {
  const own = hex(access.site.key.publicKey)
  const decided = decisionsInForce(await loadReviews(access.site.dir))
  const out: BundleSummary[] = []
  const summary = (r: DecodedRecord<'AlignmentBundle'>, status: BundleStatus): BundleSummary => {
    const b = r.body as AlignmentBundleBody
    const d = decided.get(r.id)
    return { id: r.id, name: b.name, kind: b.kind, label: b.label, items: b.item_count, chunks: b.chunks?.length ?? 0, status, signer: hex(r.signer), ...(d === undefined ? {} : { reason: d.reason }) }
  }
  for (const id of await listDrafts(access.site.dir)) {
    if (await access.get(id) !== undefined) continue // published since
    const d = await loadDraft(access.site.dir, id)
    if (d !== undefined) out.push(summary(d[0] as DecodedRecord<'AlignmentBundle'>, 'draft'))
  }
  for await (const info of access.list({ type: 'AlignmentBundle' })) {
    const b = await loadBundle(access, info.id)
    if (b === undefined) continue
    const d = decided.get(info.id)
    const status: BundleStatus = hex(b.record.signer) === own ? 'own' : b.items === undefined ? 'incomplete' : d === undefined ? 'pending' : d.decision === 'approve' ? 'approved' : 'rejected'
    out.push(summary(b.record, status))
  }
  return out
}

/** §4: records the operator's decision as a signed AlignmentReview (local; `publish` also gossips it). */
export async function decide(access: RecordAccess, id: string, decision: 'approve' | 'reject', reason: string, now: number, publish: boolean): Promise<{ review: string; outcome?: PublishOutcome }> {
  const b = await loadBundle(access, id)
  if (b === undefined || b.draft) throw new Error(`no received bundle ${id} at this site`)
  if (b.items === undefined && decision === 'approve') throw new Error(`bundle ${id} is incomplete: fetch every chunk before approving`)
  const review = createRecord('AlignmentReview', { bundle: parseRecordId(id), decision, reason }, access.site.key, now)
  await addReview(access.site.dir, review)
  return { review: review.id, ...(publish ? { outcome: await access.publish(review.bytes) } : {}) }
}

/** §4: whether a bundle may be used (evaluated or trained on): the site's own, or approved in the latest decision. */
export async function usableItems(access: RecordAccess, id: string): Promise<AlignmentItem[]> {
  const b = await loadBundle(access, id)
  if (b === undefined || b.draft) throw new Error(`no bundle ${id} at this site`)
  if (b.items === undefined) throw new Error(`bundle ${id} is incomplete (a chunk is missing)`)
  const own = Buffer.compare(b.record.signer, access.site.key.publicKey) === 0
  const d = decisionsInForce(await loadReviews(access.site.dir)).get(id)
  if (!own && d?.decision !== 'approve') throw new Error(`bundle ${id} is ${d === undefined ? 'not reviewed' : 'rejected'}: approve it first (aip align approve ${id} --reason …)`)
  return b.items
}
