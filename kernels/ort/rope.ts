/**
 * RoPE tables for the ORT graph (specs/lasa.md §Semantics: Hugging Face rotate_half convention, absolute positions),
 * from the reference kernels' ropeAngles so that both backends use bit-identical angles at every position.
 */
import type { Config } from '../config.ts'
import { ropeAngles } from '../ops.ts'

/** cos and sin, each (count, 1, headDim) with the half-head tables repeated, for positions start … start + count − 1. */
export function ropeTables(c: Config, start: number, count: number): { cos: Float32Array; sin: Float32Array } {
  const D = c.headDim
  const half = D / 2
  const cos = new Float32Array(count * D)
  const sin = new Float32Array(count * D)
  const hc = new Float32Array(half)
  const hs = new Float32Array(half)
  for (let t = 0; t < count; t++) {
    ropeAngles(hc, hs, start + t, D, c.ropeTheta)
    cos.set(hc, t * D)
    cos.set(hc, t * D + half)
    sin.set(hs, t * D)
    sin.set(hs, t * D + half)
  }
  return { cos, sin }
}
