/**
 * Transcript entries (specs/evaluation-v1.md §4.5): the per-item evidence a site publishes with a result —
 * [id, outcome, logprobs, output_sha256] in suite order — and check 9 of §8: a stranger holding the entries and the
 * suite recomputes every likelihood outcome, the transcript root, every per-category count, score and interval.
 */
import { MAX_SUITE_ITEMS } from './constants.ts'
import { EvalError } from './errors.ts'
import type { CategoryScore, ItemOutcome } from './scoring.ts'
import { categoryScores, likelihoodOutcome } from './scoring.ts'
import type { SuiteItem } from './suite.ts'
import { transcriptLeaves, transcriptRoot } from './transcript.ts'
import type { Check } from './verify.ts'

/** The fields of a signed BenchmarkResult check 9 compares against. */
export interface TranscriptTarget {
  item_count: number
  scores: CategoryScore[]
  overall_ppm: number
  transcript_root: Uint8Array
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** §4.5 The entries as JSON Lines `{id, outcome, logprobs, output_sha256 (hex)}`, in suite order. */
export function entriesJsonl(items: readonly SuiteItem[], outcomes: ReadonlyMap<string, ItemOutcome>): string {
  return items.map((i) => {
    const o = outcomes.get(i.id)
    if (o === undefined) throw new EvalError('CHECKPOINT_MISMATCH', `no outcome for item ${i.id}`)
    return JSON.stringify({ id: o.id, outcome: o.outcome, logprobs: o.logprobs, output_sha256: hex(o.output_sha256) }) + '\n'
  }).join('')
}

/** Reads entries back; throws EvalError('RESULT_INVALID') naming the line of the first malformed entry. */
export function parseEntriesJsonl(text: string): ItemOutcome[] {
  const out: ItemOutcome[] = []
  const lines = text.split('\n')
  if (lines.length > MAX_SUITE_ITEMS + 1) throw new EvalError('RESULT_INVALID', `more than ${MAX_SUITE_ITEMS} entries`)
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    let v: { id?: unknown; outcome?: unknown; logprobs?: unknown; output_sha256?: unknown }
    try {
      v = JSON.parse(line) as typeof v
    } catch {
      throw new EvalError('RESULT_INVALID', `transcript line ${i + 1}: not JSON`)
    }
    const lp = v.logprobs
    if (typeof v.id !== 'string' || (v.outcome !== 'refuse' && v.outcome !== 'comply') || !Array.isArray(lp) || !(lp.length === 0 || lp.length === 2)
      || !lp.every((x) => Number.isSafeInteger(x) && (x as number) <= 0) || typeof v.output_sha256 !== 'string' || !/^([0-9a-f]{64})?$/.test(v.output_sha256)) {
      throw new EvalError('RESULT_INVALID', `transcript line ${i + 1}: not an entry {id, outcome, logprobs, output_sha256}`)
    }
    out.push({ id: v.id, outcome: v.outcome, logprobs: lp as number[], output_sha256: new Uint8Array(Buffer.from(v.output_sha256, 'hex')) })
  })
  return out
}

/** §8 check 9: everything the entries and the suite determine, recomputed and compared with the signed result. */
export function checkTranscript(r: TranscriptTarget, items: readonly SuiteItem[], entries: readonly ItemOutcome[]): Check {
  const fail = (detail: string): Check => ({ name: 'transcript', ok: false, detail })
  if (entries.length !== items.length || entries.length !== r.item_count) return fail(`${entries.length} entries for ${items.length} suite items (item_count ${r.item_count})`)
  let recomputed = 0, generative = 0
  const byId = new Map<string, ItemOutcome>()
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!, e = entries[i]!
    if (e.id !== it.id) return fail(`entry ${i} is ${e.id}, the suite's item ${i} is ${it.id} (entries are in suite order)`)
    if (e.logprobs.length === 2) {
      if (it.continuations === undefined || e.output_sha256.length !== 0) return fail(`${it.id}: log-probabilities for a generative item`)
      const o = likelihoodOutcome(it, e.logprobs[0]!, e.logprobs[1]!)
      if (o !== e.outcome) return fail(`${it.id}: log-probabilities [${e.logprobs.join(', ')}] give ${o}, the entry says ${e.outcome} (§4.1)`)
      recomputed++
    } else {
      if (e.output_sha256.length !== 32) return fail(`${it.id}: a generative entry needs a 32-byte output_sha256`)
      generative++
    }
    byId.set(it.id, e)
  }
  const root = transcriptRoot(transcriptLeaves(items, byId))
  if (hex(root) !== hex(r.transcript_root)) return fail(`the entries' root ${hex(root).slice(0, 16)}… differs from transcript_root ${hex(r.transcript_root).slice(0, 16)}…`)
  const { scores, overall_ppm } = categoryScores(items, byId)
  if (JSON.stringify(scores) !== JSON.stringify(r.scores.map((s) => ({ category: s.category, n: s.n, score_ppm: s.score_ppm, ci_low_ppm: s.ci_low_ppm, ci_high_ppm: s.ci_high_ppm })))) {
    const bad = scores.find((s, i) => JSON.stringify(s) !== JSON.stringify(r.scores[i]))
    return fail(`per-category scores recomputed from the outcomes differ${bad ? ` (${bad.category}: n ${bad.n}, ${bad.score_ppm} ppm [${bad.ci_low_ppm}, ${bad.ci_high_ppm}])` : ''}`)
  }
  if (overall_ppm !== r.overall_ppm) return fail(`overall_ppm recomputed from the outcomes is ${overall_ppm}, the result says ${r.overall_ppm}`)
  return {
    name: 'transcript', ok: true,
    detail: `${recomputed} likelihood outcomes recomputed from their log-probabilities${generative > 0 ? `, ${generative} generative outcomes taken from their digests (replies not disclosed)` : ''}; root, ${scores.length} category scores and intervals, overall recomputed`,
  }
}
