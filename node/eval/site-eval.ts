/**
 * `aip bench run` as a function: resolve the suite, the engine and the model commitment, run (resumably, with the
 * checkpoint in the site directory), sign the BenchmarkResult, store it (through the running node when there is
 * one). Everything site-specific lives here; the scoring itself is pure (scoring.ts, stats.ts, transcript.ts).
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AlignmentBundleBody, AlignmentItem, DecodedRecord, ModelCommitmentBody } from '../../protocol/index.ts'
import { createRecord, decodeRecord } from '../../protocol/index.ts'
import type { RecordAccess } from '../records/access.ts'
import type { EvalEngine } from './engine.ts'
import { EvalError } from './errors.ts'
import type { Decoding } from './result.ts'
import { buildResultBody, runKey } from './result.ts'
import type { RunMode } from './runner.ts'
import { runSuite } from './runner.ts'
import type { ItemOutcome } from './scoring.ts'
import type { Suite, SuiteItem } from './suite.ts'
import { parseSuiteJsonl, validateItem } from './suite.ts'
import { CONTINUATIONS } from './suites/aip-safety-v1.source.ts'
import { MAX_CATEGORY_LENGTH } from './constants.ts'
import { usableItems } from '../align/service.ts'
import { bundledSuite, importedSuiteFields, suiteFromRecords, suiteToRecords } from './suite-records.ts'
import { transcriptToRecords } from './transcript-records.ts'
import type { TranscriptRecords } from './transcript-records.ts'

export interface ResolvedSuite {
  id: string
  suite: Suite
}

async function getDecoded(access: RecordAccess, id: string): Promise<DecodedRecord | undefined> {
  const bytes = await access.get(id)
  if (bytes === undefined) return undefined
  const o = decodeRecord(bytes)
  if (o.action !== 'accept') throw new EvalError('SUITE_MALFORMED', `record ${id}: ${o.code}: ${o.message}`)
  return o.record
}

/**
 * A suite by record ID (the bundled suite's ID needs no store), from a JSONL file, or from an approved (or own) red-team
 * AlignmentBundle (specs/alignment-v1.md §4); the last two are signed as BenchmarkSuite records and stored.
 */
export async function resolveSuite(access: RecordAccess, ref: string | undefined, now: number): Promise<ResolvedSuite> {
  const b = bundledSuite()
  if (ref === undefined || ref === b.records.manifest.id || ref === b.suite.name) return { id: b.records.manifest.id, suite: b.suite }
  if (existsSync(ref)) return importSuiteItems(access, parseSuiteJsonl(readFileSync(ref)), now)
  const m = await getDecoded(access, ref)
  if (m === undefined) throw new EvalError('SUITE_MALFORMED', `no suite file or suite record '${ref}'`)
  if (m.type === 'AlignmentBundle') {
    let items
    try {
      items = await usableItems(access, ref)
    } catch (err) {
      throw new EvalError('SUITE_MALFORMED', (err as Error).message)
    }
    return importSuiteItems(access, suiteItemsOfBundle(m.body as AlignmentBundleBody, items), now)
  }
  if (m.type !== 'BenchmarkSuite') throw new EvalError('SUITE_MALFORMED', `record ${ref} is a ${m.type}, not a BenchmarkSuite`)
  const manifest = m as DecodedRecord<'BenchmarkSuite'>
  const chunks: DecodedRecord<'BenchmarkSuiteChunk'>[] = []
  for (const cid of manifest.body.chunks) {
    const c = await getDecoded(access, cid.toString())
    if (c === undefined || c.type !== 'BenchmarkSuiteChunk') throw new EvalError('SUITE_MALFORMED', `suite chunk ${cid.toString()} is not stored here`)
    chunks.push(c as DecodedRecord<'BenchmarkSuiteChunk'>)
  }
  return { id: manifest.id, suite: suiteFromRecords(manifest, chunks) }
}

/**
 * §2.4 The same items imported again resolve to the same suite ID (so runs resume and results compare): the manifest
 * fields follow from the items alone, and a suite this site already signed with them is reused.
 */
async function importSuiteItems(access: RecordAccess, items: SuiteItem[], now: number): Promise<ResolvedSuite> {
  const { name, version, description } = importedSuiteFields(items)
  for await (const info of access.list({ type: 'BenchmarkSuite', signer: access.site.key.publicKey })) {
    const r = await getDecoded(access, info.id)
    if (r?.type === 'BenchmarkSuite' && (r.body as { description: string }).description === description) return await resolveSuite(access, info.id, now)
  }
  const suite: Suite = { name, version, description, items }
  const recs = suiteToRecords(suite, access.site.key, now)
  for (const r of [...recs.chunks, recs.manifest]) {
    const o = await access.publish(r.bytes)
    if (o.action === 'reject') throw new EvalError('SUITE_MALFORMED', `storing suite record ${r.id}: ${o.code} ${o.message ?? ''}`)
  }
  return { id: recs.manifest.id, suite }
}

/**
 * alignment-v1 §4: a red-team bundle as suite items — held out, expected as the item says (default refuse), the
 * category in the suite's alphabet, and the bundled suite's refusal/compliance openers for the item's language
 * (its primary subtag; English when the table has none). Each item is checked by the suite's own reader.
 */
export function suiteItemsOfBundle(bundle: AlignmentBundleBody, items: readonly AlignmentItem[]): SuiteItem[] {
  if (bundle.kind !== 'red-team') throw new EvalError('SUITE_MALFORMED', `a ${bundle.kind} bundle is not a suite: only red-team bundles are evaluated on`)
  return items.map((i) => {
    const lang = i.language.split('-')[0]!.toLowerCase()
    const category = (i.category ?? 'red_team').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, MAX_CATEGORY_LENGTH) || 'red_team'
    try {
      return validateItem({ id: i.id, category, language: i.language, prompt: i.prompt, split: 'heldout', expected: i.expected ?? 'refuse', continuations: CONTINUATIONS[lang] ?? CONTINUATIONS.en })
    } catch (err) {
      throw new EvalError('SUITE_MALFORMED', `bundle item ${i.id}: ${(err as Error).message}`)
    }
  })
}

export async function suiteItemsFor(access: RecordAccess, suiteId: string): Promise<Suite['items'] | undefined> {
  try {
    return (await resolveSuite(access, suiteId, 0)).suite.items
  } catch {
    return undefined
  }
}

const eqBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * This site's ModelCommitment for `body`: an existing one it signed with the same weights root and config (so that
 * re-runs share a run key and resume), else a new one, stored.
 */
export async function findOrCreateCommitment(access: RecordAccess, body: ModelCommitmentBody, now: number): Promise<DecodedRecord<'ModelCommitment'>> {
  for await (const info of access.list({ type: 'ModelCommitment', signer: access.site.key.publicKey })) {
    const r = await getDecoded(access, info.id)
    if (r?.type !== 'ModelCommitment') continue
    const m = r as DecodedRecord<'ModelCommitment'>
    if (eqBytes(m.body.weights_root, body.weights_root) && eqBytes(m.body.config_sha256, body.config_sha256) && m.body.name === body.name) return m
  }
  const rec = createRecord('ModelCommitment', body, access.site.key, now)
  const o = await access.publish(rec.bytes)
  if (o.action === 'reject') throw new EvalError('RESULT_INVALID', `storing the ModelCommitment: ${o.code} ${o.message ?? ''}`)
  return rec
}

/**
 * §7 The commitment of an externally served model: the operator's weights root (from `aip model commit` over its
 * safetensors files), with the architecture marked external; parameter counts are unknown here (0).
 */
export function externalCommitmentBody(name: string, weightsRootHex: string): ModelCommitmentBody {
  const weights_root = new Uint8Array(Buffer.from(weightsRootHex, 'hex'))
  return {
    name, weights_root, config_sha256: new Uint8Array(createHash('sha256').update('').digest()),
    architecture: { family: 'external' }, params_total: 0, params_active_per_token: 0,
  }
}

/** A stored ModelCommitment by ID (external engines: created by `aip model commit`). */
export async function getCommitment(access: RecordAccess, id: string): Promise<DecodedRecord<'ModelCommitment'>> {
  const r = await getDecoded(access, id)
  if (r === undefined) throw new EvalError('RESULT_INVALID', `no ModelCommitment ${id} in this site's store (create one with \`aip model commit\`)`)
  if (r.type !== 'ModelCommitment') throw new EvalError('RESULT_INVALID', `record ${id} is a ${r.type}, not a ModelCommitment`)
  return r as DecodedRecord<'ModelCommitment'>
}

export interface BenchRun {
  access: RecordAccess
  suite: ResolvedSuite
  engine: EvalEngine
  commitment: DecodedRecord<'ModelCommitment'>
  mode: RunMode
  seed: number
  maxTokens: number
  now: () => number
  onProgress?: (done: number, total: number) => void
  /** Tests: stop after this many newly scored items (simulates an interruption). */
  stopAfter?: number
  /** Items in flight at once (external engines, §6); does not change the outcomes. */
  concurrency?: number
}

export interface BenchOutcome {
  /** Undefined when the run stopped early (stopAfter). */
  result?: DecodedRecord<'BenchmarkResult'>
  stored?: { action: string; code: string; message?: string }
  outcomes: Map<string, ItemOutcome>
  checkpoint: string
  /** The published transcript records (§4.5), when the run completed. */
  transcript?: TranscriptRecords
}

/** Runs (or resumes) the benchmark, then signs and stores the result; the checkpoint is kept for proofs. */
export async function runBenchmark(r: BenchRun): Promise<BenchOutcome> {
  const decoding: Decoding = { mode: r.mode, max_tokens: r.maxTokens, temperature: '0' }
  const inputs = { suiteId: r.suite.id, commitment: r.commitment, engine: r.engine.info, decoding, seed: r.seed }
  const key = runKey({ ...inputs, commitmentId: r.commitment.id })
  const dir = join(r.access.site.dir, 'eval', 'runs')
  mkdirSync(dir, { recursive: true })
  const checkpoint = join(dir, `${key}.jsonl`)
  const items = r.suite.suite.items
  const outcomes = await runSuite(r.engine, items, { mode: r.mode, seed: r.seed, maxTokens: r.maxTokens, checkpoint, runKey: key, onProgress: r.onProgress, stopAfter: r.stopAfter, concurrency: r.concurrency })
  if (outcomes.size < items.length) return { outcomes, checkpoint }
  const created = r.now()
  const result = createRecord('BenchmarkResult', buildResultBody(inputs, items, outcomes), r.access.site.key, created)
  const stored = await r.access.publish(result.bytes)
  // §4.5 the transcript is published with the result: chunks, then the manifest that links them and the result.
  const transcript = transcriptToRecords(result.id, items, outcomes, r.access.site.key, created)
  for (const t of [...transcript.chunks, transcript.manifest]) {
    const o = await r.access.publish(t.bytes)
    if (o.action === 'reject') throw new EvalError('RESULT_INVALID', `storing transcript record ${t.id}: ${o.code} ${o.message ?? ''}`)
  }
  writeFileSync(join(dir, `${key}.result`), result.id + '\n')
  return { result, stored, outcomes, checkpoint, transcript }
}
