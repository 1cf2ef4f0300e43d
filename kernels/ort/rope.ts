/**
 * RoPE tables for the ORT graph (specs/lasa.md §Semantics: Hugging Face rotate_half convention, absolute positions),
 * with exactly the reference kernels' angles (ropeAngles in kernels/ops.ts: f32 frequencies, f64 angle), so both
 * backends agree at every position (test/kernels/ort/rope.test.ts checks it bit for bit).
 */
import type { Config } from '../config.ts'

/** cos and sin, each (count, 1, headDim) with the half-head tables repeated, for positions start … start + count − 1. */
export function ropeTables(c: Config, start: number, count: number): { cos: Float32Array; sin: Float32Array } {
  const D = c.headDim
  const half = D / 2
  const cos = new Float32Array(count * D)
  const sin = new Float32Array(count * D)
  const inv = inverseFrequencies(c)
  for (let t = 0; t < count; t++) {
    const p = start + t
    for (let k = 0; k < half; k++) {
      const angle = p * inv[k]! // as ropeAngles computes it
      cos[t * D + k] = cos[t * D + half + k] = Math.cos(angle)
      sin[t * D + k] = sin[t * D + half + k] = Math.sin(angle)
    }
  }
  return { cos, sin }
}

const inverse = new WeakMap<Config, Float64Array>()

/** θ^(−2k/headDim) rounded to f32, k < headDim/2: ropeAngles' frequencies, computed once per config. */
function inverseFrequencies(c: Config): Float64Array {
  let inv = inverse.get(c)
  if (inv === undefined) {
    const half = c.headDim / 2
    inv = new Float64Array(half)
    for (let k = 0; k < half; k++) inv[k] = Math.fround(1 / c.ropeTheta ** ((2 * k) / c.headDim))
    inverse.set(c, inv)
  }
  return inv
}
