/**
 * RMSNorm forward and backward in binary64 (specs/lasa.md §5 step 2.1, §12): y = w ⊙ x · r with
 * r = 1 / sqrt(mean(x²) + ε). Rows are processed in order; sums run over the row's elements in order.
 */

/** y (n, d) and r (n) from x (n, d); y may not alias x. */
export function rmsnormForward(y: Float64Array, r: Float64Array, x: Float64Array, w: Float64Array, n: number, d: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const b = i * d
    let ss = 0
    for (let p = 0; p < d; p++) ss += x[b + p]! * x[b + p]!
    const ri = 1 / Math.sqrt(ss / d + eps)
    r[i] = ri
    for (let p = 0; p < d; p++) y[b + p] = w[p]! * (x[b + p]! * ri)
  }
}

/**
 * Given dy (n, d): dx += r·(w ⊙ dy) − x · r³/d · Σ(w ⊙ dy ⊙ x) (ADDED to dx, the residual stream's gradient) and
 * dw += Σ_rows dy ⊙ x · r (rows in order).
 */
export function rmsnormBackward(dx: Float64Array, dw: Float64Array, dy: Float64Array, x: Float64Array, r: Float64Array, w: Float64Array, n: number, d: number): void {
  for (let i = 0; i < n; i++) {
    const b = i * d
    const ri = r[i]!
    let s = 0
    for (let p = 0; p < d; p++) s += w[p]! * dy[b + p]! * x[b + p]!
    const c = (ri * ri * ri * s) / d
    for (let p = 0; p < d; p++) {
      dw[p] += dy[b + p]! * (x[b + p]! * ri)
      dx[b + p] += ri * w[p]! * dy[b + p]! - x[b + p]! * c
    }
  }
}
