/**
 * RoPE forward and backward in binary64 (specs/lasa.md §5 step 2.3, rotate_half convention). The rotation is
 * orthogonal, so the backward pass rotates the gradient by the opposite angle.
 */

/** cos and sin tables (positions, headDim/2) for positions 0 … positions−1: angle = pos · f32(θ^(−2m/d)), as kernels/ops.ts. */
export function ropeTables(positions: number, headDim: number, theta: number): { cos: Float64Array; sin: Float64Array } {
  const half = headDim / 2
  const cos = new Float64Array(positions * half)
  const sin = new Float64Array(positions * half)
  for (let m = 0; m < half; m++) {
    const inv = Math.fround(1 / theta ** ((2 * m) / headDim))
    for (let p = 0; p < positions; p++) {
      cos[p * half + m] = Math.cos(p * inv)
      sin[p * half + m] = Math.sin(p * inv)
    }
  }
  return { cos, sin }
}

/**
 * Rotates, in place, `count` heads of headDim at x[xi ..] for position `pos`; `sign` +1 applies RoPE, −1 its
 * inverse (which is its backward: dx = Rᵀ·dy).
 */
export function ropeApply(x: Float64Array, xi: number, count: number, headDim: number, pos: number, cos: Float64Array, sin: Float64Array, sign: 1 | -1): void {
  const half = headDim / 2
  const t = pos * half
  for (let h = 0; h < count; h++) {
    const b = xi + h * headDim
    for (let m = 0; m < half; m++) {
      const c = cos[t + m]!, s = sign * sin[t + m]!
      const x1 = x[b + m]!, x2 = x[b + half + m]!
      x[b + m] = x1 * c - x2 * s
      x[b + half + m] = x2 * c + x1 * s
    }
  }
}
