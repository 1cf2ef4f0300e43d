/**
 * BenchmarkResult (spec §4.8): a site's signed score of one model (ModelCommitment link + its weights root) on one
 * suite (manifest link). Scores are integers in parts per million; the transcript root is the RFC 9162 MTH over the
 * per-item transcript leaves, so any item can later be proven part of the scored run.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap } from '../cbor.ts'
import { MAX_SCORE_ROWS, PPM } from '../constants.ts'
import type { ParamValue } from './schema.ts'
import { bytes, DECIMAL_RE, fields, link, list, malformed, params, text, uint } from './schema.ts'

export interface ScoreRow {
  category: string
  n: number
  score_ppm: number
  ci_low_ppm: number
  ci_high_ppm: number
}

export interface BenchmarkResultBody {
  suite: CID
  model: CID
  weights_root: Uint8Array
  /** { backend, version, model_name, runtime?, cpu?, … } (§4.8: runtime and cpu name where the run happened) */
  engine: Record<string, ParamValue>
  /** { mode: 'likelihood' | 'generative', max_tokens, temperature: '0', … } — the three are required (§4.8) */
  decoding: Record<string, ParamValue>
  seed: number
  item_count: number
  scores: ScoreRow[]
  overall_ppm: number
  transcript_root: Uint8Array
  /** The scoring method, "aip-eval-v1" for specs/evaluation-v1.md (checked by verifiers, not here). */
  method: string
}

const isPpm = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= PPM && Number.isInteger(v)

function ppm(v: Parameters<typeof uint>[0], name: string): number {
  return uint(v, name, PPM)
}

/** `decoding`: `mode`, `max_tokens` and `temperature` are required with fixed meanings; more entries allowed (§4.8). */
function decodingParams(v: Parameters<typeof params>[0]): Record<string, ParamValue> {
  const d = params(v, 'decoding', ['mode', 'max_tokens', 'temperature'])
  if (d.mode !== 'likelihood' && d.mode !== 'generative') malformed('decoding.mode', "expected 'likelihood' or 'generative'")
  if (typeof d.max_tokens !== 'number') malformed('decoding.max_tokens', 'expected an unsigned integer')
  if (typeof d.temperature !== 'string' || !DECIMAL_RE.test(d.temperature)) malformed('decoding.temperature', 'expected decimal text')
  return d
}

export function parseBenchmarkResult(m: CborMap): BenchmarkResultBody {
  fields(m, 'BenchmarkResult', ['suite', 'model', 'weights_root', 'engine', 'decoding', 'seed', 'item_count', 'scores', 'overall_ppm', 'transcript_root', 'method'])
  const engine = params(m.engine, 'engine', ['backend', 'version', 'model_name'])
  for (const k of ['backend', 'version', 'model_name']) if (typeof engine[k] !== 'string') malformed(`engine.${k}`, 'expected text')
  for (const k of ['runtime', 'cpu']) if (engine[k] !== undefined && typeof engine[k] !== 'string') malformed(`engine.${k}`, 'expected text')
  const scores = list(m.scores, 'scores', 0, MAX_SCORE_ROWS, (x, n) => {
    const r = fields(x, n, ['category', 'n', 'score_ppm', 'ci_low_ppm', 'ci_high_ppm'])
    text(r.category, n)
    uint(r.n, n)
    // Names are built only on failure: this runs for every row of every result received.
    for (const k of ['score_ppm', 'ci_low_ppm', 'ci_high_ppm'] as const) if (!isPpm(r[k])) ppm(r[k], `${n}.${k}`)
    if ((r.ci_low_ppm as number) > (r.score_ppm as number) || (r.score_ppm as number) > (r.ci_high_ppm as number)) malformed(n, 'expected ci_low_ppm ≤ score_ppm ≤ ci_high_ppm')
    return r as unknown as ScoreRow
  })
  if (new Set(scores.map((s) => s.category)).size !== scores.length) malformed('scores', 'a category is listed twice')
  return {
    suite: link(m.suite, 'suite'),
    model: link(m.model, 'model'),
    weights_root: bytes(m.weights_root, 'weights_root', 32),
    engine,
    decoding: decodingParams(m.decoding),
    seed: uint(m.seed, 'seed'),
    item_count: uint(m.item_count, 'item_count'),
    scores,
    overall_ppm: ppm(m.overall_ppm, 'overall_ppm'),
    transcript_root: bytes(m.transcript_root, 'transcript_root', 32),
    method: text(m.method, 'method'),
  }
}
