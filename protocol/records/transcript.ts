/**
 * Transcript (spec §4.10): the per-item evidence of one BenchmarkResult, published by its evaluator so that anyone
 * holding the suite recomputes every outcome, the transcript root, every score and interval
 * (specs/evaluation-v1.md §4.5). A manifest links, in suite order, TranscriptChunk records of entries
 * [id, outcome, logprobs, output_sha256].
 */
import type { CID } from 'multiformats/cid'
import type { CborMap, CborValue } from '../cbor.ts'
import { MAX_CHUNKS, MAX_TRANSCRIPT_ENTRIES_PER_CHUNK } from '../constants.ts'
import { fields, link, list, malformed, text, uint } from './schema.ts'

/** §4.10 One item's evidence: micro-nats [refusal, compliance] for a likelihood item, [] for a generative one. */
export type TranscriptEntry = [id: string, outcome: 'refuse' | 'comply', logprobs: number[], output_sha256: Uint8Array]

export interface TranscriptBody {
  /** The BenchmarkResult whose transcript this is (same signer). */
  result: CID
  item_count: number
  chunks: CID[]
}

export interface TranscriptChunkBody {
  entries: TranscriptEntry[]
}

const MAX_LOGPROB_MAGNITUDE = 1_000_000_000_000 // LOGPROB_LIMIT_MICRONATS of specs/evaluation-v1.md §4.1

function entry(x: CborValue, n: string): TranscriptEntry {
  if (!Array.isArray(x) || x.length !== 4) return malformed(n, 'expected [id, outcome, logprobs, output_sha256]')
  const [id, outcome, logprobs, digest] = x
  text(id, `${n}[0]`)
  if (outcome !== 'refuse' && outcome !== 'comply') malformed(`${n}[1]`, "expected 'refuse' or 'comply'")
  if (!Array.isArray(logprobs) || (logprobs.length !== 0 && logprobs.length !== 2)) malformed(`${n}[2]`, 'expected [] or [refusal, compliance]')
  for (const v of logprobs as CborValue[]) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v > 0 || v < -MAX_LOGPROB_MAGNITUDE) malformed(`${n}[2]`, 'expected micro-nats in [-10^12, 0]')
  }
  if (!(digest instanceof Uint8Array) || (digest.length !== 0 && digest.length !== 32)) malformed(`${n}[3]`, 'expected 0 or 32 bytes')
  if ((logprobs as CborValue[]).length === 2 ? (digest as Uint8Array).length !== 0 : (digest as Uint8Array).length !== 32) {
    malformed(n, 'a likelihood entry has two log-probabilities and no digest; a generative one no log-probabilities and a digest')
  }
  return x as unknown as TranscriptEntry
}

export function parseTranscript(m: CborMap): TranscriptBody {
  fields(m, 'Transcript', ['result', 'item_count', 'chunks'])
  const chunks = list(m.chunks, 'chunks', 1, MAX_CHUNKS, link)
  const item_count = uint(m.item_count, 'item_count', MAX_CHUNKS * MAX_TRANSCRIPT_ENTRIES_PER_CHUNK)
  if (item_count < chunks.length || item_count > chunks.length * MAX_TRANSCRIPT_ENTRIES_PER_CHUNK) malformed('item_count', 'inconsistent with the number of chunks')
  return { result: link(m.result, 'result'), item_count, chunks }
}

export function parseTranscriptChunk(m: CborMap): TranscriptChunkBody {
  fields(m, 'TranscriptChunk', ['entries'])
  const entries = list(m.entries, 'entries', 1, MAX_TRANSCRIPT_ENTRIES_PER_CHUNK, entry)
  if (new Set(entries.map((e) => e[0])).size !== entries.length) malformed('entries', 'an item id is listed twice')
  return { entries }
}
