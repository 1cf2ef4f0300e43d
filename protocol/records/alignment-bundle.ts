/**
 * AlignmentBundle (spec §4.9): alignment data a site shares — red-team prompts, preference pairs or refusal
 * exemplars — inline (`items`) or, when large, in AlignmentChunk records linked from `chunks`.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap, CborValue } from '../cbor.ts'
import { MAX_CHUNKS, MAX_ITEMS_PER_CHUNK } from '../constants.ts'
import { fields, languageTag, link, list, longText, malformed, oneOf, text, uint } from './schema.ts'

export const ALIGNMENT_KINDS = ['red-team', 'preference', 'refusal-exemplar'] as const
export type AlignmentKind = (typeof ALIGNMENT_KINDS)[number]

/** Fields per kind: red-team {prompt, category, expected?}; preference {prompt, chosen, rejected};
 * refusal-exemplar {prompt, response, category?}. All carry id and language. */
export interface AlignmentItem {
  id: string
  language: string
  prompt: string
  category?: string
  expected?: 'refuse' | 'comply'
  chosen?: string
  rejected?: string
  response?: string
}

export interface AlignmentBundleBody {
  name: string
  kind: AlignmentKind
  license: string
  item_count: number
  items?: AlignmentItem[]
  chunks?: CID[]
  description?: string
}

export interface AlignmentChunkBody {
  kind: AlignmentKind
  items: AlignmentItem[]
}

const KIND_FIELDS: Record<AlignmentKind, { required: string[]; optional: string[] }> = {
  'red-team': { required: ['category'], optional: ['expected'] },
  preference: { required: ['chosen', 'rejected'], optional: ['category'] },
  'refusal-exemplar': { required: ['response'], optional: ['category'] },
}

export function parseAlignmentItem(kind: AlignmentKind, x: CborValue, n: string): AlignmentItem {
  const f = KIND_FIELDS[kind]
  const e = fields(x, n, ['id', 'language', 'prompt', ...f.required], f.optional)
  const item: AlignmentItem = {
    id: text(e.id, `${n}.id`),
    language: languageTag(e.language, `${n}.language`),
    prompt: longText(e.prompt, `${n}.prompt`, 1),
  }
  if (e.category !== undefined) item.category = text(e.category, `${n}.category`)
  if (e.expected !== undefined) item.expected = oneOf(e.expected, `${n}.expected`, ['refuse', 'comply'] as const)
  for (const k of ['chosen', 'rejected', 'response'] as const) if (e[k] !== undefined) item[k] = longText(e[k], `${n}.${k}`, 1)
  return item
}

function items(kind: AlignmentKind, v: CborValue | undefined): AlignmentItem[] {
  const out = list(v, 'items', 1, MAX_ITEMS_PER_CHUNK, (x, n) => parseAlignmentItem(kind, x, n))
  if (new Set(out.map((i) => i.id)).size !== out.length) malformed('items', 'an item id is listed twice')
  return out
}

export function parseAlignmentBundle(m: CborMap): AlignmentBundleBody {
  fields(m, 'AlignmentBundle', ['name', 'kind', 'license', 'item_count'], ['items', 'chunks', 'description'])
  if ((m.items === undefined) === (m.chunks === undefined)) malformed('AlignmentBundle', 'exactly one of items and chunks')
  const kind = oneOf(m.kind, 'kind', ALIGNMENT_KINDS)
  const body: AlignmentBundleBody = { name: text(m.name, 'name'), kind, license: text(m.license, 'license'), item_count: uint(m.item_count, 'item_count', MAX_CHUNKS * MAX_ITEMS_PER_CHUNK) }
  if (m.items !== undefined) {
    body.items = items(kind, m.items)
    if (body.item_count !== body.items.length) malformed('item_count', 'differs from the number of items')
  }
  if (m.chunks !== undefined) {
    body.chunks = list(m.chunks, 'chunks', 1, MAX_CHUNKS, link)
    if (body.item_count < 1 || body.item_count > body.chunks.length * MAX_ITEMS_PER_CHUNK) malformed('item_count', 'inconsistent with the number of chunks')
  }
  if (m.description !== undefined) body.description = longText(m.description, 'description')
  return body
}

export function parseAlignmentChunk(m: CborMap): AlignmentChunkBody {
  fields(m, 'AlignmentChunk', ['kind', 'items'])
  const kind = oneOf(m.kind, 'kind', ALIGNMENT_KINDS)
  return { kind, items: items(kind, m.items) }
}
