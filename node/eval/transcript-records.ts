/**
 * Published transcripts (specs/evaluation-v1.md §4.5, specs/aip-v1.md §4.10): a site signs, with every result, a
 * Transcript manifest linking TranscriptChunk records of entries [id, outcome, logprobs, output_sha256] in suite
 * order. They travel like the result (gossip topic /aip/1/results, sync), so a stranger holding only records can run
 * check 9 of §8.
 */
import type { DecodedRecord, SigningKey, TranscriptEntry } from '../../protocol/index.ts'
import {
  MAX_TRANSCRIPT_CHUNK_BYTES, MAX_TRANSCRIPT_ENTRIES_PER_CHUNK, createRecord, decodeRecord, encodeCanonical, link,
} from '../../protocol/index.ts'
import type { RecordAccess } from '../records/access.ts'
import { SUITE_CHUNK_OVERHEAD_BYTES } from './constants.ts'
import { EvalError } from './errors.ts'
import type { ItemOutcome } from './scoring.ts'
import type { SuiteItem } from './suite.ts'

export interface TranscriptRecords {
  manifest: DecodedRecord<'Transcript'>
  chunks: DecodedRecord<'TranscriptChunk'>[]
}

const toEntry = (o: ItemOutcome): TranscriptEntry => [o.id, o.outcome, o.logprobs, o.output_sha256]

/**
 * §4.5 packing, as for suite chunks (§2.3): entries in suite order; a new chunk before an entry when the current one
 * holds MAX_TRANSCRIPT_ENTRIES_PER_CHUNK entries, or when the sum of its entries' CBOR lengths plus this entry's
 * would exceed MAX_TRANSCRIPT_CHUNK_BYTES − SUITE_CHUNK_OVERHEAD_BYTES.
 */
export function chunkEntries(entries: readonly TranscriptEntry[]): TranscriptEntry[][] {
  const budget = MAX_TRANSCRIPT_CHUNK_BYTES - SUITE_CHUNK_OVERHEAD_BYTES
  const out: TranscriptEntry[][] = []
  let cur: TranscriptEntry[] = [], size = 0
  for (const e of entries) {
    const n = encodeCanonical(e).length
    if (cur.length > 0 && (cur.length >= MAX_TRANSCRIPT_ENTRIES_PER_CHUNK || size + n > budget)) {
      out.push(cur)
      cur = []
      size = 0
    }
    cur.push(e)
    size += n
  }
  if (cur.length > 0) out.push(cur)
  return out
}

/** Signs the transcript of `resultId`: chunks first (their IDs are the manifest's links), then the manifest. */
export function transcriptToRecords(resultId: string, items: readonly SuiteItem[], outcomes: ReadonlyMap<string, ItemOutcome>, key: SigningKey, created: number): TranscriptRecords {
  const entries = items.map((i) => {
    const o = outcomes.get(i.id)
    if (o === undefined) throw new EvalError('CHECKPOINT_MISMATCH', `no outcome for item ${i.id}`)
    return toEntry(o)
  })
  const chunks = chunkEntries(entries).map((c) => createRecord('TranscriptChunk', { entries: c }, key, created))
  const manifest = createRecord('Transcript', { result: link(resultId), item_count: entries.length, chunks: chunks.map((c) => link(c.id)) }, key, created)
  return { manifest, chunks }
}

/** The entries of a transcript from its manifest and chunks (in the manifest's order). */
export function entriesFromRecords(manifest: DecodedRecord<'Transcript'>, chunks: readonly DecodedRecord<'TranscriptChunk'>[]): ItemOutcome[] {
  const m = manifest.body
  if (chunks.length !== m.chunks.length || chunks.some((c, i) => c.id !== m.chunks[i]!.toString())) throw new EvalError('RESULT_INVALID', 'transcript chunks do not match the manifest links')
  const out = chunks.flatMap((c) => c.body.entries.map(([id, outcome, logprobs, output_sha256]) => ({ id, outcome, logprobs, output_sha256 })))
  if (out.length !== m.item_count) throw new EvalError('RESULT_INVALID', `transcript manifest says ${m.item_count} entries, chunks hold ${out.length}`)
  return out
}

async function decoded<T extends 'Transcript' | 'TranscriptChunk'>(access: RecordAccess, id: string, type: T): Promise<DecodedRecord<T> | undefined> {
  const bytes = await access.get(id)
  if (bytes === undefined) return undefined
  const o = decodeRecord(bytes)
  return o.action === 'accept' && o.record.type === type ? (o.record as DecodedRecord<T>) : undefined
}

/**
 * The published transcript of a result at this site: a Transcript record signed by the result's signer whose
 * `result` links it, with all its chunks. Undefined when the site holds none (or not all of its chunks).
 */
export async function findTranscript(access: RecordAccess, result: DecodedRecord<'BenchmarkResult'>): Promise<TranscriptRecords | undefined> {
  for await (const info of access.list({ type: 'Transcript', signer: result.signer })) {
    const m = await decoded(access, info.id, 'Transcript')
    if (m === undefined || m.body.result.toString() !== result.id) continue
    const chunks: DecodedRecord<'TranscriptChunk'>[] = []
    for (const cid of m.body.chunks) {
      const c = await decoded(access, cid.toString(), 'TranscriptChunk')
      if (c === undefined || Buffer.compare(Buffer.from(c.signer), Buffer.from(result.signer)) !== 0) break
      chunks.push(c)
    }
    if (chunks.length === m.body.chunks.length) return { manifest: m, chunks }
  }
  return undefined
}
