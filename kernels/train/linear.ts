/**
 * The one matrix kernel of training, in binary64: out = a·bᵀ with a (m, k), b (n, k) row-major, register-tiled 4×4
 * like kernels/matmul.ts. Every output element is Σ_p a[i,p]·b[j,p] accumulated sequentially in p (p = 0, 1, …) in
 * binary64, so the result does not depend on the tiling, on m or n, or on the machine (specs/lasa.md §12).
 * Backward products are the same kernel on transposed operands: dX = dY·W = matmul(dY, Wᵀ), dW = dYᵀ·X =
 * matmul(dYᵀ, Xᵀ) — the contraction then runs over the rows of the batch in order.
 */

/** out (m, n) = a (m, k) · b (n, k)ᵀ; offsets select stacked matrices. `out` may not alias a or b. */
export function mm(out: Float64Array, a: Float64Array, b: Float64Array, m: number, n: number, k: number, aOffset = 0, bOffset = 0, oOffset = 0): void {
  let i = 0
  for (; i + 4 <= m; i += 4) {
    const a0 = aOffset + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k
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
      const o0 = oOffset + i * n + j, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n
      out[o0] = c00; out[o0 + 1] = c01; out[o0 + 2] = c02; out[o0 + 3] = c03
      out[o1] = c10; out[o1 + 1] = c11; out[o1 + 2] = c12; out[o1 + 3] = c13
      out[o2] = c20; out[o2 + 1] = c21; out[o2 + 2] = c22; out[o2 + 3] = c23
      out[o3] = c30; out[o3 + 1] = c31; out[o3 + 2] = c32; out[o3 + 3] = c33
    }
    for (; j < n; j++) {
      for (let r = 0; r < 4; r++) out[oOffset + (i + r) * n + j] = dot(a, aOffset + (i + r) * k, b, bOffset + j * k, k)
    }
  }
  for (; i < m; i++) {
    for (let j = 0; j < n; j++) out[oOffset + i * n + j] = dot(a, aOffset + i * k, b, bOffset + j * k, k)
  }
}

/** Σ a[ai+p]·b[bi+p], p ascending. */
export function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, k: number): number {
  let s = 0
  for (let p = 0; p < k; p++) s += a[ai + p]! * b[bi + p]!
  return s
}

/** out (cols, rows) = xᵀ for x (rows, cols) starting at x[offset]. */
export function transpose(out: Float64Array, x: Float64Array, rows: number, cols: number, offset = 0): Float64Array {
  for (let r = 0; r < rows; r++) {
    const base = offset + r * cols
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[base + c]!
  }
  return out
}

/**
 * Backward of y = x·Wᵀ for x (m, k), W (n, k), given dy (m, n): dx (m, k) = dy·W (overwritten, unless null) and
 * dW (n, k) += dyᵀ·x (accumulated: dW's old value is added after the sum over the m rows; unless null — a frozen
 * weight, specs/lasa.md §12.5).
 */
export function linearBackward(dx: Float64Array | null, dW: Float64Array | null, dy: Float64Array, x: Float64Array, W: Float64Array, m: number, n: number, k: number, wOffset = 0): void {
  if (m === 0) return
  if (dx !== null) mm(dx, dy, transpose(new Float64Array(k * n), W, n, k, wOffset), m, k, n)
  if (dW === null) return
  const g = new Float64Array(n * k)
  mm(g, transpose(new Float64Array(n * m), dy, m, n), transpose(new Float64Array(k * m), x, m, k), n, k, m)
  for (let r = 0; r < n * k; r++) dW[wOffset + r] += g[r]!
}
