/**
 * Integer-exact statistics (specs/evaluation-v1.md §5). Every figure is an integer in parts per million computed
 * with BigInt arithmetic only, so that independent implementations produce the same integers.
 */
import { PPM, WILSON_Z_DEN, WILSON_Z_NUM } from './constants.ts'

/** Floor of the square root of a non-negative BigInt (Newton's method). */
export function isqrt(m: bigint): bigint {
  if (m < 0n) throw new RangeError('isqrt of a negative number')
  if (m < 2n) return m
  let x = BigInt(Math.floor(Math.sqrt(Number(m)))) + 1n
  for (;;) {
    const y = (x + m / x) >> 1n
    if (y >= x) break
    x = y
  }
  while (x * x > m) x--
  while ((x + 1n) * (x + 1n) <= m) x++
  return x
}

/** Ceiling of the square root of a non-negative BigInt. */
export function ceilSqrt(m: bigint): bigint {
  const s = isqrt(m)
  return s * s === m ? s : s + 1n
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b))
const ceilDiv = (a: bigint, b: bigint): bigint => -floorDiv(-a, b)

/** §5.1 score_ppm = floor(1e6 · k / n); 0 when n = 0. */
export function scorePpm(k: number, n: number): number {
  checkCounts(k, n)
  return n === 0 ? 0 : Number((BigInt(PPM) * BigInt(k)) / BigInt(n))
}

function checkCounts(k: number, n: number): void {
  if (!Number.isSafeInteger(k) || !Number.isSafeInteger(n) || k < 0 || n < 0 || k > n) {
    throw new RangeError(`invalid counts k=${k} n=${n}`)
  }
}

/**
 * §5.2 The 95% Wilson score interval for k successes in n trials with z = 49/25 (= 1.96), in ppm, rounded outward:
 * low = floor, high = ceil of the exact real bounds, clamped to [0, 1e6]. n = 0 gives [0, 1e6].
 *
 * With z = a/b the exact bounds are (P ∓ a·√X) / D, where
 *   P = 2·b²·k·n + a²·n,  X = n·(a²·n + 4·b²·k·(n−k)),  D = 2·n·(b²·n + a²),
 * and with c = ⌈a·√X⌉ = ⌈√(a²·X)⌉ (exactly computable) the rounded bounds are
 *   low = ⌊1e6·(P − a√X)/D⌋ = ⌊(1e6·P − ⌈1e6·a·√X⌉)/D⌋,  high = ⌈(1e6·P + ⌈1e6·a·√X⌉)/D⌉  (see the spec for why).
 */
export function wilsonPpm(k: number, n: number): { low: number; high: number } {
  checkCounts(k, n)
  if (n === 0) return { low: 0, high: PPM }
  const K = BigInt(k), N = BigInt(n), a = BigInt(WILSON_Z_NUM), b = BigInt(WILSON_Z_DEN), S = BigInt(PPM)
  const P = 2n * b * b * K * N + a * a * N
  const X = N * (a * a * N + 4n * b * b * K * (N - K))
  const D = 2n * N * (b * b * N + a * a)
  const c = ceilSqrt(S * S * a * a * X) // ⌈1e6 · a · √X⌉
  const low = floorDiv(S * P - c, D)
  const high = ceilDiv(S * P + c, D)
  const clamp = (v: bigint) => Number(v < 0n ? 0n : v > S ? S : v)
  return { low: clamp(low), high: clamp(high) }
}
