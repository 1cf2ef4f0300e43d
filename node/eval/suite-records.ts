/**
 * Suites as records (specs/evaluation-v1.md §2.3): a BenchmarkSuite manifest linking BenchmarkSuiteChunk records.
 * The bundled suite is signed by a fixed, publicly derivable key at a fixed time, so its records — and therefore
 * its suite ID — are byte-identical on every node (Ed25519 signatures are deterministic).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { CborValue, DecodedRecord, SigningKey } from '../../protocol/index.ts'
import {
  MAX_BENCHMARK_SUITE_CHUNK_BYTES, MAX_ITEMS_PER_CHUNK, createRecord, encodeCanonical, generateSigningKey, link,
} from '../../protocol/index.ts'
import { SUITE_CHUNK_OVERHEAD_BYTES } from './constants.ts'
import { EvalError } from './errors.ts'
import type { Suite, SuiteItem } from './suite.ts'
import { parseSuiteJsonl, validateItem } from './suite.ts'

export interface SuiteRecords {
  manifest: DecodedRecord<'BenchmarkSuite'>
  chunks: DecodedRecord<'BenchmarkSuiteChunk'>[]
}

/** §3 name, version and file of the bundled suite. */
export const BUNDLED_SUITE_NAME = 'aip-safety-v1'
export const BUNDLED_SUITE_VERSION = '1.0.0'
export const BUNDLED_SUITE_FILE = new URL('./suites/aip-safety-v1.jsonl', import.meta.url)
/** §2.3 The bundled suite's records are signed at this fixed time (2026-11-27T00:00:00Z) … */
export const BUNDLED_SUITE_CREATED = Date.UTC(2026, 10, 27)
/** … by the key whose seed is SHA-256 of this text (anyone can derive it: it vouches only for content). */
export const BUNDLED_SUITE_KEY_LABEL = 'AIP bundled suite signer v1'

function itemCbor(i: SuiteItem): CborValue {
  const m: Record<string, CborValue> = { id: i.id, category: i.category, language: i.language, prompt: i.prompt, split: i.split, expected: i.expected }
  if (i.continuations !== undefined) m.continuations = { refusal: i.continuations.refusal, compliance: i.continuations.compliance }
  return m
}

/** §2.4 SHA-256 over the deterministic CBOR array of the items (maps with the §2.2 field names), lower-case hex. */
export function itemsSha256(items: readonly SuiteItem[]): string {
  return createHash('sha256').update(encodeCanonical(items.map(itemCbor))).digest('hex')
}

/**
 * §2.4 The manifest fields of an imported suite: fixed by the items alone (never by the file name or key order),
 * so importing the same items again finds the same records and the same suite ID.
 */
export function importedSuiteFields(items: readonly SuiteItem[]): { name: string; version: string; description: string } {
  const digest = itemsSha256(items)
  return { name: `imported-${digest.slice(0, 16)}`, version: '1', description: `items-sha256:${digest}` }
}

/** §3 The bundled suite's description, verbatim. */
export const BUNDLED_SUITE_DESCRIPTION = 'AIP bundled safety suite: harmful requests across 11 hazard categories, XSTest-style benign prompts, jailbreak wrappings, 7 languages (specs/evaluation-v1.md §3).'

/** Packs items in order into chunks of at most MAX_ITEMS_PER_CHUNK items and the chunk size limit. */
export function chunkItems(items: readonly SuiteItem[]): SuiteItem[][] {
  const budget = MAX_BENCHMARK_SUITE_CHUNK_BYTES - SUITE_CHUNK_OVERHEAD_BYTES
  const out: SuiteItem[][] = []
  let cur: SuiteItem[] = [], size = 0
  for (const item of items) {
    const n = encodeCanonical(itemCbor(item)).length
    if (cur.length > 0 && (cur.length >= MAX_ITEMS_PER_CHUNK || size + n > budget)) {
      out.push(cur)
      cur = []
      size = 0
    }
    cur.push(item)
    size += n
  }
  if (cur.length > 0) out.push(cur)
  return out
}

/** Signs a suite as records: chunks first (their IDs are the manifest's links), then the manifest. */
export function suiteToRecords(suite: Suite, key: SigningKey, created: number): SuiteRecords {
  const chunks = chunkItems(suite.items).map((items) => createRecord('BenchmarkSuiteChunk', { items }, key, created))
  const manifest = createRecord('BenchmarkSuite', {
    name: suite.name, version: suite.version, description: suite.description, item_count: suite.items.length, chunks: chunks.map((c) => link(c.id)),
  }, key, created)
  return { manifest, chunks }
}

/**
 * Reads a suite back from its manifest and chunk bodies (in the manifest's order), applying the item rules of §2.2
 * (stricter than the record layer's) and checking item_count and id uniqueness.
 */
export function suiteFromRecords(manifest: DecodedRecord<'BenchmarkSuite'>, chunks: readonly DecodedRecord<'BenchmarkSuiteChunk'>[]): Suite {
  const m = manifest.body
  if (chunks.length !== m.chunks.length || chunks.some((c, i) => c.id !== m.chunks[i]!.toString())) {
    throw new EvalError('SUITE_MALFORMED', 'chunks do not match the manifest links')
  }
  const items: SuiteItem[] = []
  const seen = new Set<string>()
  for (const c of chunks) {
    for (const raw of c.body.items) {
      let item: SuiteItem
      try {
        item = validateItem(raw)
      } catch (e) {
        throw new EvalError('SUITE_MALFORMED', `chunk ${c.id}: item ${raw.id}: ${(e as Error).message}`)
      }
      if (seen.has(item.id)) throw new EvalError('SUITE_MALFORMED', `item id ${item.id} appears twice`)
      seen.add(item.id)
      items.push(item)
    }
  }
  if (items.length !== m.item_count) throw new EvalError('SUITE_MALFORMED', `manifest says ${m.item_count} items, chunks hold ${items.length}`)
  return { name: m.name, version: m.version, description: m.description, items }
}

/** The bundled suite's signer (derivable by anyone). */
export function bundledSuiteKey(): SigningKey {
  return generateSigningKey(new Uint8Array(createHash('sha256').update(BUNDLED_SUITE_KEY_LABEL, 'utf8').digest()))
}

let bundled: { suite: Suite; records: SuiteRecords } | undefined

/** The bundled suite and its deterministic records (computed once per process). */
export function bundledSuite(): { suite: Suite; records: SuiteRecords } {
  if (bundled === undefined) {
    const suite: Suite = {
      name: BUNDLED_SUITE_NAME,
      version: BUNDLED_SUITE_VERSION,
      description: BUNDLED_SUITE_DESCRIPTION,
      items: parseSuiteJsonl(readFileSync(BUNDLED_SUITE_FILE)),
    }
    bundled = { suite, records: suiteToRecords(suite, bundledSuiteKey(), BUNDLED_SUITE_CREATED) }
  }
  return bundled
}
