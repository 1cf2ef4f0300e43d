import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ceilSqrt, isqrt, scorePpm, wilsonPpm } from '../../../node/eval/stats.ts'

interface Vector { k: number; n: number; score_ppm: number; ci_low_ppm: number; ci_high_ppm: number }
const VECTORS = (JSON.parse(readFileSync(new URL('../../../specs/vectors/evaluation-v1/wilson.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors

test('Wilson golden vectors (cross-checked with 60-digit decimal arithmetic) reproduce exactly', () => {
  assert.ok(VECTORS.length >= 15)
  for (const v of VECTORS) {
    const w = wilsonPpm(v.k, v.n)
    assert.deepEqual({ score_ppm: scorePpm(v.k, v.n), ci_low_ppm: w.low, ci_high_ppm: w.high },
      { score_ppm: v.score_ppm, ci_low_ppm: v.ci_low_ppm, ci_high_ppm: v.ci_high_ppm }, `k=${v.k} n=${v.n}`)
  }
})

test('Wilson bounds bracket the floating-point formula by less than one ppm', () => {
  const z = 1.96
  for (let n = 1; n <= 60; n++) {
    for (let k = 0; k <= n; k++) {
      const p = k / n, d = 1 + (z * z) / n
      const c = (p + (z * z) / (2 * n)) / d, h = (z / d) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))
      const lo = Math.max(0, (c - h) * 1e6), hi = Math.min(1e6, (c + h) * 1e6)
      const w = wilsonPpm(k, n)
      assert.ok(w.low <= lo + 1e-6 && lo - w.low < 1 + 1e-6, `low k=${k} n=${n}: ${w.low} vs ${lo}`)
      assert.ok(w.high >= hi - 1e-6 && w.high - hi < 1 + 1e-6, `high k=${k} n=${n}: ${w.high} vs ${hi}`)
      assert.ok(w.low <= scorePpm(k, n) && scorePpm(k, n) <= w.high)
    }
  }
})

test('integer square roots are exact around perfect squares', () => {
  for (const m of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 10n ** 40n - 1n, 10n ** 40n, 10n ** 40n + 1n]) {
    const s = isqrt(m)
    assert.ok(s * s <= m && (s + 1n) * (s + 1n) > m, `isqrt(${m})`)
    const c = ceilSqrt(m)
    assert.ok(c * c >= m && (c === 0n || (c - 1n) * (c - 1n) < m), `ceilSqrt(${m})`)
  }
})

test('invalid counts are rejected, not silently scored', () => {
  assert.throws(() => wilsonPpm(3, 2), RangeError)
  assert.throws(() => scorePpm(-1, 2), RangeError)
  assert.throws(() => wilsonPpm(0.5, 2), RangeError)
})
