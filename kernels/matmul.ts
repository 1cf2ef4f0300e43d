/**
 * C = A·Bᵀ, the one matrix kernel of the TS reference: A (m, k) and B (n, k) row-major, so both operands are read
 * along contiguous rows. Register-tiled: a 4×4 block of C accumulates in 16 locals over k, so each loaded element
 * of A and B is used four times. Accumulation is sequential in k per output element, in f64, rounded once to f32;
 * matmulT on one row gives bit-identically the same numbers as on many rows (the MoE equality test relies on it).
 */

/** out (m, n) = a (m, k) · b (n, k)ᵀ. `out` may not alias a or b. Offsets let callers pass stacked matrices. */
export function matmulT(out: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, bOffset = 0): void {
  let i = 0
  for (; i + 4 <= m; i += 4) {
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k
    let j = 0
    for (; j + 4 <= n; j += 4) {
      const b0 = bOffset + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p]!, x1 = a[a1 + p]!, x2 = a[a2 + p]!, x3 = a[a3 + p]!
        const y0 = b[b0 + p]!, y1 = b[b1 + p]!, y2 = b[b2 + p]!, y3 = b[b3 + p]!
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3
      }
      const o0 = i * n + j, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n
      out[o0] = c00; out[o0 + 1] = c01; out[o0 + 2] = c02; out[o0 + 3] = c03
      out[o1] = c10; out[o1 + 1] = c11; out[o1 + 2] = c12; out[o1 + 3] = c13
      out[o2] = c20; out[o2 + 1] = c21; out[o2 + 2] = c22; out[o2 + 3] = c23
      out[o3] = c30; out[o3 + 1] = c31; out[o3 + 2] = c32; out[o3 + 3] = c33
    }
    for (; j < n; j++) {
      for (let r = 0; r < 4; r++) out[(i + r) * n + j] = dot(a, (i + r) * k, b, bOffset + j * k, k)
    }
  }
  for (; i < m; i++) matvecT(out, i * n, a, i * k, b, bOffset, n, k)
}

/** out[o .. o+n) = b (n, k) · a[ai .. ai+k): one row of A against B, four rows of B at a time. */
export function matvecT(out: Float32Array, o: number, a: Float32Array, ai: number, b: Float32Array, bOffset: number, n: number, k: number): void {
  let j = 0
  for (; j + 4 <= n; j += 4) {
    const b0 = bOffset + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0
    for (let p = 0; p < k; p++) {
      const x = a[ai + p]!
      c0 += x * b[b0 + p]!; c1 += x * b[b1 + p]!; c2 += x * b[b2 + p]!; c3 += x * b[b3 + p]!
    }
    out[o + j] = c0; out[o + j + 1] = c1; out[o + j + 2] = c2; out[o + j + 3] = c3
  }
  for (; j < n; j++) out[o + j] = dot(a, ai, b, bOffset + j * k, k)
}

/** Σ a[ai+p]·b[bi+p] for p < k, accumulated in order. */
export function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, k: number): number {
  let s = 0
  for (let p = 0; p < k; p++) s += a[ai + p]! * b[bi + p]!
  return s
}
