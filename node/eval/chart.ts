/**
 * Per-category scores with their 95 % Wilson intervals as a text chart (`aip results show`): one row per category,
 * the interval drawn as ├──┤ on a 0–100 % axis with ● at the score. Pure; the widths are characters.
 */
import { PPM } from './constants.ts'
import type { CategoryScore } from './scoring.ts'

/** Characters of the chart's axis (0 % at column 0, 100 % at column CHART_WIDTH − 1). */
export const CHART_WIDTH = 41

const col = (ppm: number) => Math.round((ppm / PPM) * (CHART_WIDTH - 1))
const pct = (ppm: number) => `${(ppm / 10_000).toFixed(1)}%`

/** One bar: the interval [low, high] as ├─┤, the score as ●. */
export function intervalBar(s: Pick<CategoryScore, 'score_ppm' | 'ci_low_ppm' | 'ci_high_ppm'>): string {
  const row = Array.from({ length: CHART_WIDTH }, () => '·')
  const lo = col(s.ci_low_ppm), hi = col(s.ci_high_ppm)
  for (let i = lo; i <= hi; i++) row[i] = '─'
  row[lo] = '├'
  row[hi] = '┤'
  row[col(s.score_ppm)] = '●'
  return row.join('')
}

/** The chart: a header with the axis, one line per category, one for the overall score (no interval is signed). */
export function scoreChart(scores: readonly CategoryScore[], overallPpm: number): string[] {
  const w = Math.max(8, ...scores.map((s) => s.category.length))
  const mid = Math.floor((CHART_WIDTH - 1) / 2) // the 50 % column
  const axis = `0%${' '.repeat(mid - 1 - 2)}50%${' '.repeat(CHART_WIDTH - (mid + 2) - 4)}100%`
  return [
    `${'category'.padEnd(w)} ${'n'.padStart(5)} ${'score'.padStart(6)}  ${'95% Wilson'.padEnd(16)}  ${axis}`,
    ...scores.map((s) => `${s.category.padEnd(w)} ${String(s.n).padStart(5)} ${pct(s.score_ppm).padStart(6)}  ${`[${pct(s.ci_low_ppm)}, ${pct(s.ci_high_ppm)}]`.padEnd(16)}  ${intervalBar(s)}`),
    `${'overall'.padEnd(w)} ${String(scores.reduce((a, s) => a + s.n, 0)).padStart(5)} ${pct(overallPpm).padStart(6)}  ${''.padEnd(16)}  ${Array.from({ length: CHART_WIDTH }, (_, i) => (i === col(overallPpm) ? '●' : ' ')).join('')}`,
  ]
}
