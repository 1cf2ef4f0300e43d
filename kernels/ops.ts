/**
 * Elementwise kernels of the reference engine (specs/lasa.md §Semantics). Rows are contiguous slices of flat
 * Float32Arrays; results are rounded to f32 when stored, as in a float32 PyTorch reference.
 */

/** out[o..o+d) = x[xi..xi+d) · rsqrt(mean(x²) + eps) ⊙ weight. out may equal x (same offsets). */
export function rmsnorm(out: Float32Array, o: number, x: Float32Array, xi: number, weight: Float32Array, d: number, eps: number): void {
  let ss = 0
  for (let p = 0; p < d; p++) ss += x[xi + p]! * x[xi + p]!
  const r = Math.fround(1 / Math.sqrt(Math.fround(Math.fround(ss / d) + eps)))
  for (let p = 0; p < d; p++) out[o + p] = weight[p]! * Math.fround(x[xi + p]! * r)
}

/** silu(x) = x · sigmoid(x). */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x))
}

/** softplus(x) = log(1 + eˣ), without overflow. */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x))
}

/** In-place softmax of s[0..n) (numbers, f64). */
export function softmaxInPlace(s: Float64Array, n: number): void {
  let max = -Infinity
  for (let i = 0; i < n; i++) if (s[i]! > max) max = s[i]!
  let sum = 0
  for (let i = 0; i < n; i++) sum += s[i] = Math.exp(s[i]! - max)
  for (let i = 0; i < n; i++) s[i]! /= sum
}

/** log softmax(row)[index], computed stably in f64. */
export function logSoftmaxAt(row: Float32Array, index: number): number {
  let max = -Infinity
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!
  let sum = 0
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max)
  return row[index]! - max - Math.log(sum)
}

/**
 * RoPE tables for one absolute position: cos/sin of pos · θ^(−2i/headDim), i < headDim/2 (Hugging Face layout).
 * (half) each.
 */
export function ropeAngles(cos: Float32Array, sin: Float32Array, pos: number, headDim: number, theta: number): void {
  const half = headDim / 2
  for (let i = 0; i < half; i++) {
    const angle = pos * Math.fround(1 / theta ** ((2 * i) / headDim))
    cos[i] = Math.cos(angle)
    sin[i] = Math.sin(angle)
  }
}

/**
 * Applies RoPE in the rotate_half convention to `count` consecutive heads of headDim starting at x[xi]:
 * x₁' = x₁·cos − x₂·sin, x₂' = x₂·cos + x₁·sin, with x₁ the first half and x₂ the second half of each head.
 */
export function rope(x: Float32Array, xi: number, count: number, headDim: number, cos: Float32Array, sin: Float32Array): void {
  const half = headDim / 2
  for (let h = 0; h < count; h++) {
    const base = xi + h * headDim
    for (let i = 0; i < half; i++) {
      const x1 = x[base + i]!, x2 = x[base + half + i]!
      x[base + i] = x1 * cos[i]! - x2 * sin[i]!
      x[base + half + i] = x2 * cos[i]! + x1 * sin[i]!
    }
  }
}
