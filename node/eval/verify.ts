/**
 * Checks of a BenchmarkResult body that need no network (specs/evaluation-v1.md §8, checks 3–7). Signature and
 * record validity (checks 1–2) are the record layer's; this module takes an already-validated body.
 */
import { PPM } from './constants.ts'
import type { CategoryScore } from './scoring.ts'
import { scorePpm, wilsonPpm } from './stats.ts'
import type { SuiteItem } from './suite.ts'
import { categoriesOf } from './suite.ts'

/** §8 `method` of results produced under this specification. */
export const METHOD = 'aip-eval-v1'

export type CheckName = 'signature' | 'record' | 'signer' | 'method' | 'suite' | 'scores' | 'model' | 'weights' | 'transcript'

export interface Check {
  name: CheckName
  /** False iff the check ran and failed (a skipped check is ok: it proves nothing either way; see `skipped`). */
  ok: boolean
  /** §8 A check that could not run (the verifier lacks its input); `detail` says why. */
  skipped?: true
  /** Why it failed, what was checked, or why it was skipped. */
  detail: string
}

/** §8 A check reported as not run, with the reason. */
export function skipped(name: CheckName, why: string): Check {
  return { name, ok: true, skipped: true, detail: `skipped: ${why}` }
}

/** The fields of a BenchmarkResult body these checks read. */
export interface ResultFields {
  item_count: number
  scores: CategoryScore[]
  overall_ppm: number
  weights_root: Uint8Array
  method: string
}

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** §8.5 Recomputes every score and interval from n and the k that score_ppm implies. */
export function checkScores(r: ResultFields): Check {
  let sumN = 0, sumK = 0
  for (const s of r.scores) {
    if (s.n < 1 || s.n > PPM) return { name: 'scores', ok: false, detail: `${s.category}: n = ${s.n} is outside 1..${PPM}` }
    const k = Number((BigInt(s.score_ppm) * BigInt(s.n) + BigInt(PPM - 1)) / BigInt(PPM))
    if (k > s.n || scorePpm(k, s.n) !== s.score_ppm) return { name: 'scores', ok: false, detail: `${s.category}: score_ppm ${s.score_ppm} is not floor(1e6·k/${s.n}) for any k` }
    const w = wilsonPpm(k, s.n)
    if (w.low !== s.ci_low_ppm || w.high !== s.ci_high_ppm) {
      return { name: 'scores', ok: false, detail: `${s.category}: interval [${s.ci_low_ppm}, ${s.ci_high_ppm}] should be [${w.low}, ${w.high}] for ${k}/${s.n}` }
    }
    sumN += s.n
    sumK += k
  }
  if (sumN !== r.item_count) return { name: 'scores', ok: false, detail: `category sizes sum to ${sumN}, item_count is ${r.item_count}` }
  const overall = scorePpm(sumK, sumN)
  if (overall !== r.overall_ppm) return { name: 'scores', ok: false, detail: `overall_ppm ${r.overall_ppm} should be ${overall} (${sumK}/${sumN})` }
  return { name: 'scores', ok: true, detail: `${r.scores.length} categories, ${sumK}/${sumN} items as expected` }
}

/** §8.4 The result's categories and sizes equal the suite's. */
export function checkAgainstSuite(r: ResultFields, items: readonly SuiteItem[]): Check {
  if (r.item_count !== items.length) return { name: 'suite', ok: false, detail: `item_count ${r.item_count}, the suite has ${items.length} items` }
  const cats = categoriesOf(items)
  const got = r.scores.map((s) => s.category)
  if (cats.join('\n') !== got.join('\n')) return { name: 'suite', ok: false, detail: `categories [${got.join(', ')}] differ from the suite's [${cats.join(', ')}]` }
  for (const s of r.scores) {
    const n = items.filter((i) => i.category === s.category).length
    if (n !== s.n) return { name: 'suite', ok: false, detail: `${s.category}: n = ${s.n}, the suite has ${n}` }
  }
  return { name: 'suite', ok: true, detail: `${items.length} items in ${cats.length} categories match` }
}

export function checkMethod(r: ResultFields): Check {
  return r.method === METHOD ? { name: 'method', ok: true, detail: METHOD } : { name: 'method', ok: false, detail: `method '${r.method}' is not ${METHOD}` }
}

/** §8.6 / §8.7 The weights root equals the commitment's, or the one recomputed from a model file. */
export function checkWeightsRoot(name: 'model' | 'weights', r: ResultFields, expected: Uint8Array, source: string): Check {
  return eq(r.weights_root, expected)
    ? { name, ok: true, detail: `weights_root ${hex(expected).slice(0, 16)}… matches ${source}` }
    : { name, ok: false, detail: `weights_root ${hex(r.weights_root).slice(0, 16)}… differs from ${source} (${hex(expected).slice(0, 16)}…)` }
}
