/**
 * BenchmarkSuite (spec §4.7): a manifest linking chunk records that hold the items. The suite's ID is the manifest
 * record's CID. Each BenchmarkSuiteChunk holds up to MAX_ITEMS_PER_CHUNK items and stays under its size limit.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap, CborValue } from '../cbor.ts'
import { MAX_CHUNKS, MAX_ITEMS_PER_CHUNK } from '../constants.ts'
import { fields, languageTag, link, list, longText, malformed, oneOf, text, uint } from './schema.ts'

export interface SuiteItem {
  id: string
  category: string
  /** BCP 47 language tag. */
  language: string
  prompt: string
  split: 'train' | 'heldout'
  expected: 'refuse' | 'comply'
  /** For likelihood scoring: a refusal and a compliant continuation. */
  continuations?: { refusal: string; compliance: string }
}

export interface BenchmarkSuiteBody {
  name: string
  version: string
  description: string
  item_count: number
  chunks: CID[]
}

export interface BenchmarkSuiteChunkBody {
  items: SuiteItem[]
}

export function parseSuiteItem(x: CborValue, n: string): SuiteItem {
  const e = fields(x, n, ['id', 'category', 'language', 'prompt', 'split', 'expected'], ['continuations'])
  const item: SuiteItem = {
    id: text(e.id, `${n}.id`),
    category: text(e.category, `${n}.category`),
    language: languageTag(e.language, `${n}.language`),
    prompt: longText(e.prompt, `${n}.prompt`, 1),
    split: oneOf(e.split, `${n}.split`, ['train', 'heldout'] as const),
    expected: oneOf(e.expected, `${n}.expected`, ['refuse', 'comply'] as const),
  }
  if (e.continuations !== undefined) {
    const c = fields(e.continuations, `${n}.continuations`, ['refusal', 'compliance'])
    item.continuations = { refusal: longText(c.refusal, `${n}.continuations.refusal`, 1), compliance: longText(c.compliance, `${n}.continuations.compliance`, 1) }
  }
  return item
}

export function parseBenchmarkSuite(m: CborMap): BenchmarkSuiteBody {
  fields(m, 'BenchmarkSuite', ['name', 'version', 'description', 'item_count', 'chunks'])
  const chunks = list(m.chunks, 'chunks', 1, MAX_CHUNKS, link)
  const item_count = uint(m.item_count, 'item_count', MAX_CHUNKS * MAX_ITEMS_PER_CHUNK)
  if (item_count < 1 || item_count > chunks.length * MAX_ITEMS_PER_CHUNK) malformed('item_count', 'inconsistent with the number of chunks')
  return { name: text(m.name, 'name'), version: text(m.version, 'version'), description: longText(m.description, 'description'), item_count, chunks }
}

export function parseBenchmarkSuiteChunk(m: CborMap): BenchmarkSuiteChunkBody {
  fields(m, 'BenchmarkSuiteChunk', ['items'])
  const items = list(m.items, 'items', 1, MAX_ITEMS_PER_CHUNK, parseSuiteItem)
  const ids = new Set(items.map((i) => i.id))
  if (ids.size !== items.length) malformed('items', 'an item id is listed twice')
  return { items }
}
