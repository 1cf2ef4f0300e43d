/**
 * RoPE tables for the ORT graph (specs/lasa.md §Semantics: Hugging Face rotate_half convention, absolute positions):
 * for position p and k < headDim/2, angle = p · θ^(−2k/headDim); cos/sin repeat over the two halves of a head.
 * Computed in f64 and rounded once to f32, so large positions keep their precision.
 */
import type { Config } from '../config.ts'

/** cos and sin, each (count, 1, headDim), for positions start … start + count − 1. */
export function ropeTables(c: Config, start: number, count: number): { cos: Float32Array; sin: Float32Array } {
  const D = c.headDim
  const half = D / 2
  const cos = new Float32Array(count * D)
  const sin = new Float32Array(count * D)
  for (let t = 0; t < count; t++) {
    const p = start + t
    for (let k = 0; k < half; k++) {
      const a = p * Math.pow(c.ropeTheta, (-2 * k) / D)
      const cs = Math.cos(a)
      const sn = Math.sin(a)
      cos[t * D + k] = cos[t * D + k + half] = cs
      sin[t * D + k] = sin[t * D + k + half] = sn
    }
  }
  return { cos, sin }
}
