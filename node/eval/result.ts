/**
 * Building a BenchmarkResult from a run (specs/evaluation-v1.md §8) and the run key that names its checkpoint (§6).
 */
import { createHash } from 'node:crypto'
import type { BenchmarkResultBody, DecodedRecord, ParamValue } from '../../protocol/index.ts'
import { encodeCanonical, link } from '../../protocol/index.ts'
import type { EngineInfo } from './engine.ts'
import type { RunMode } from './runner.ts'
import type { ItemOutcome } from './scoring.ts'
import { categoryScores } from './scoring.ts'
import type { SuiteItem } from './suite.ts'
import { transcriptLeaves, transcriptRoot } from './transcript.ts'
import { METHOD } from './verify.ts'

export interface Decoding {
  mode: RunMode
  max_tokens: number
  /** Decimal text (§6: "0" — greedy). */
  temperature: string
}

export interface RunInputs {
  suiteId: string
  commitment: DecodedRecord<'ModelCommitment'>
  engine: EngineInfo
  decoding: Decoding
  seed: number
}

/** §6 run key: hex SHA-256 of the deterministic CBOR [suite ID, commitment ID, engine, decoding, seed]. */
export function runKey(r: { suiteId: string; commitmentId: string; engine: EngineInfo; decoding: Decoding; seed: number }): string {
  const engine = { backend: r.engine.backend, version: r.engine.version, model_name: r.engine.model_name }
  const decoding = { mode: r.decoding.mode, max_tokens: r.decoding.max_tokens, temperature: r.decoding.temperature }
  const v = encodeCanonical([r.suiteId, r.commitmentId, engine, decoding, r.seed])
  return createHash('sha256').update(v).digest('hex')
}

/** §8 The result body for a complete set of outcomes. */
export function buildResultBody(r: RunInputs, items: readonly SuiteItem[], outcomes: ReadonlyMap<string, ItemOutcome>): BenchmarkResultBody {
  const { scores, overall_ppm } = categoryScores(items, outcomes)
  const engine: Record<string, ParamValue> = { backend: r.engine.backend, version: r.engine.version, model_name: r.engine.model_name }
  if (r.engine.runtime !== undefined && r.engine.runtime !== '') engine.runtime = r.engine.runtime
  if (r.engine.cpu !== undefined && r.engine.cpu !== '') engine.cpu = r.engine.cpu
  const decoding: Record<string, ParamValue> = { mode: r.decoding.mode, max_tokens: r.decoding.max_tokens, temperature: r.decoding.temperature }
  return {
    suite: link(r.suiteId),
    model: link(r.commitment.id),
    weights_root: r.commitment.body.weights_root,
    engine,
    decoding,
    seed: r.seed,
    item_count: items.length,
    scores,
    overall_ppm,
    transcript_root: transcriptRoot(transcriptLeaves(items, outcomes)),
    method: METHOD,
  }
}
