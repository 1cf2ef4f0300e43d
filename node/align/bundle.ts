/**
 * Building a bundle's records from items (aip-v1 §4.9, alignment-v1 §2): inline when the label and embargo allow it
 * and the items fit one record, else a manifest plus AlignmentChunk records, each chunk packed greedily up to
 * MAX_ITEMS_PER_CHUNK items and its envelope limit. Every chunk carries the bundle's label and embargo (R3).
 */
import { createRecord, isRestricted, MAX_ALIGNMENT_BUNDLE_BYTES, MAX_ALIGNMENT_CHUNK_BYTES, MAX_ITEMS_PER_CHUNK, parseRecordId, encodeCanonical } from '../../protocol/index.ts'
import type { AlignmentBundleBody, AlignmentItem, CborValue, DecodedRecord, SigningKey } from '../../protocol/index.ts'

/** What a bundle says about itself: the manifest's fields except its contents (items, chunks, count). */
export type BundleSpec = Omit<AlignmentBundleBody, 'item_count' | 'items' | 'chunks'>

export interface BuiltBundle {
  bundle: DecodedRecord<'AlignmentBundle'>
  chunks: DecodedRecord<'AlignmentChunk'>[]
}

/** Room left in a chunk envelope for the header, signature and the map around the items. */
const CHUNK_OVERHEAD_BYTES = 1024

const itemBytes = (i: AlignmentItem) => encodeCanonical(JSON.parse(JSON.stringify(i)) as CborValue).length

/** Splits items into chunk-sized groups (cumulative encoded size under the chunk limit, ≤ MAX_ITEMS_PER_CHUNK). */
export function packChunks(items: readonly AlignmentItem[]): AlignmentItem[][] {
  const out: AlignmentItem[][] = []
  let cur: AlignmentItem[] = []
  let bytes = 0
  for (const item of items) {
    const n = itemBytes(item)
    if (n + CHUNK_OVERHEAD_BYTES > MAX_ALIGNMENT_CHUNK_BYTES) throw new Error(`item ${item.id} alone is ${n} bytes, over a chunk's limit`)
    if (cur.length === MAX_ITEMS_PER_CHUNK || bytes + n + CHUNK_OVERHEAD_BYTES > MAX_ALIGNMENT_CHUNK_BYTES) {
      out.push(cur)
      cur = []
      bytes = 0
    }
    cur.push(item)
    bytes += n
  }
  if (cur.length > 0) out.push(cur)
  return out
}

export function buildBundle(spec: BundleSpec, items: readonly AlignmentItem[], key: SigningKey, created: number): BuiltBundle {
  const head: Omit<AlignmentBundleBody, 'item_count'> = { name: spec.name, kind: spec.kind, license: spec.license, label: spec.label }
  if (spec.audience !== undefined) head.audience = spec.audience
  if (spec.embargo_until !== undefined) head.embargo_until = spec.embargo_until
  if (spec.description !== undefined) head.description = spec.description
  const inlineAllowed = !isRestricted(spec.label) && spec.embargo_until === undefined && items.length <= MAX_ITEMS_PER_CHUNK
  if (inlineAllowed) {
    try {
      return { bundle: createRecord('AlignmentBundle', { ...head, item_count: items.length, items: [...items] }, key, created), chunks: [] }
    } catch (err) {
      if (!(err instanceof Error) || !/exceeds/.test(err.message)) throw err // too big inline: chunk it
    }
  }
  const chunks = packChunks(items).map((group) => createRecord('AlignmentChunk', {
    kind: spec.kind, label: spec.label, ...(spec.embargo_until === undefined ? {} : { embargo_until: spec.embargo_until }), items: group,
  }, key, created))
  const bundle = createRecord('AlignmentBundle', { ...head, item_count: items.length, chunks: chunks.map((c) => parseRecordId(c.id)) }, key, created)
  if (bundle.bytes.length > MAX_ALIGNMENT_BUNDLE_BYTES) throw new Error('too many chunks for one manifest')
  return { bundle, chunks }
}

/** The items of a bundle, from its inline items or its chunks (in manifest order); undefined while a chunk is missing. */
export async function bundleItems(bundle: AlignmentBundleBody, getChunk: (id: string) => Promise<DecodedRecord | undefined>): Promise<AlignmentItem[] | undefined> {
  if (bundle.items !== undefined) return bundle.items
  const out: AlignmentItem[] = []
  for (const cid of bundle.chunks ?? []) {
    const c = await getChunk(cid.toString())
    if (c === undefined || c.type !== 'AlignmentChunk') return undefined
    out.push(...(c.body as { items: AlignmentItem[] }).items)
  }
  return out
}
