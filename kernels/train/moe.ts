/**
 * Router + top-k MoE forward and backward in binary64 (specs/lasa.md §5 steps 2.7–2.8, §12), and the gradient of
 * Mixtral's load-balancing loss (specs/lasa.md §12.2) with respect to the router probabilities.
 * Tokens are grouped per expert in token order; experts run in index order and add their contributions in that
 * order, as kernels/moe.ts does.
 */
import { linearBackward, mm } from './linear.ts'

export interface MoeShape {
  dim: number
  hidden: number
  experts: number
  topK: number
}

/** What the backward pass needs from the forward pass of one layer. */
export interface MoeCache {
  n: number // tokens
  prob: Float64Array // (n, experts) softmax of the router logits
  ids: Int32Array // (n, topK) chosen experts, decreasing probability
  gains: Float64Array // (n, topK) renormalised weights g
  perExpert: Array<{ rows: Int32Array; slots: Int32Array; x: Float64Array; a: Float64Array; b: Float64Array; u: Float64Array; y: Float64Array } | null>
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

/** out (n, dim) = MoE(x (n, dim)); returns the cache. */
export function moeForward(out: Float64Array, x: Float64Array, n: number, s: MoeShape, gate: Float64Array, w1: Float64Array, w3: Float64Array, w2: Float64Array): MoeCache {
  const { dim, hidden, experts, topK } = s
  const prob = new Float64Array(n * experts)
  mm(prob, x, gate, n, experts, dim)
  const ids = new Int32Array(n * topK)
  const gains = new Float64Array(n * topK)
  const taken = new Uint8Array(experts)
  for (let i = 0; i < n; i++) {
    const b = i * experts
    let max = -Infinity
    for (let e = 0; e < experts; e++) if (prob[b + e]! > max) max = prob[b + e]!
    let sum = 0
    for (let e = 0; e < experts; e++) sum += prob[b + e] = Math.exp(prob[b + e]! - max)
    for (let e = 0; e < experts; e++) prob[b + e]! /= sum
    taken.fill(0)
    let kept = 0
    for (let k = 0; k < topK; k++) {
      let best = -1
      for (let e = 0; e < experts; e++) if (taken[e] === 0 && (best < 0 || prob[b + e]! > prob[b + best]!)) best = e // ties: lower index
      taken[best] = 1
      ids[i * topK + k] = best
      kept += prob[b + best]!
    }
    for (let k = 0; k < topK; k++) gains[i * topK + k] = prob[b + ids[i * topK + k]!]! / kept
  }
  out.fill(0, 0, n * dim)
  const perExpert: MoeCache['perExpert'] = []
  for (let e = 0; e < experts; e++) {
    const rowsL: number[] = [], slotsL: number[] = []
    for (let i = 0; i < n; i++) for (let k = 0; k < topK; k++) if (ids[i * topK + k] === e) { rowsL.push(i); slotsL.push(k) }
    const m = rowsL.length
    if (m === 0) { perExpert.push(null); continue }
    const rows = Int32Array.from(rowsL), slots = Int32Array.from(slotsL)
    const xe = new Float64Array(m * dim)
    for (let r = 0; r < m; r++) xe.set(x.subarray(rows[r]! * dim, (rows[r]! + 1) * dim), r * dim)
    const a = new Float64Array(m * hidden), bb = new Float64Array(m * hidden), u = new Float64Array(m * hidden)
    mm(a, xe, w1, m, hidden, dim, 0, e * hidden * dim)
    mm(bb, xe, w3, m, hidden, dim, 0, e * hidden * dim)
    for (let r = 0; r < m * hidden; r++) u[r] = a[r]! * sigmoid(a[r]!) * bb[r]!
    const y = new Float64Array(m * dim)
    mm(y, u, w2, m, dim, hidden, 0, e * dim * hidden)
    for (let r = 0; r < m; r++) {
      const g = gains[rows[r]! * topK + slots[r]!]!
      const ob = rows[r]! * dim
      for (let d = 0; d < dim; d++) out[ob + d] += g * y[r * dim + d]!
    }
    perExpert.push({ rows, slots, x: xe, a, b: bb, u, y })
  }
  return { n, prob, ids, gains, perExpert }
}

/**
 * Given dout (n, dim) and dAuxProb (experts), the gradient of the auxiliary loss with respect to every router
 * probability p[i, e] (the same for every token i of the layer): dx (n, dim) += …, dgate, dw1, dw3, dw2 += ….
 */
export function moeBackward(dx: Float64Array, dgate: Float64Array | null, dw1: Float64Array | null, dw3: Float64Array | null, dw2: Float64Array | null, dout: Float64Array, x: Float64Array, c: MoeCache, s: MoeShape, dAuxProb: Float64Array | null, gate: Float64Array, w1: Float64Array, w3: Float64Array, w2: Float64Array): void {
  const { dim, hidden, experts, topK } = s
  const n = c.n
  const dgain = new Float64Array(n * topK) // d loss / d g[i, k]
  for (let e = 0; e < experts; e++) {
    const pe = c.perExpert[e]
    if (pe === null || pe === undefined) continue
    const m = pe.rows.length
    const dy = new Float64Array(m * dim)
    for (let r = 0; r < m; r++) {
      const slot = pe.rows[r]! * topK + pe.slots[r]!
      const g = c.gains[slot]!
      const ob = pe.rows[r]! * dim
      let dg = 0
      for (let d = 0; d < dim; d++) {
        dy[r * dim + d] = g * dout[ob + d]!
        dg += dout[ob + d]! * pe.y[r * dim + d]!
      }
      dgain[slot] = dg
    }
    const du = new Float64Array(m * hidden)
    linearBackward(du, dw2, dy, pe.u, w2, m, dim, hidden, e * dim * hidden)
    const da = new Float64Array(m * hidden), db = new Float64Array(m * hidden)
    for (let r = 0; r < m * hidden; r++) {
      const a = pe.a[r]!, sg = sigmoid(a)
      db[r] = du[r]! * a * sg
      da[r] = du[r]! * pe.b[r]! * sg * (1 + a * (1 - sg))
    }
    const dx1 = new Float64Array(m * dim), dx3 = new Float64Array(m * dim)
    linearBackward(dx1, dw1, da, pe.x, w1, m, hidden, dim, e * hidden * dim)
    linearBackward(dx3, dw3, db, pe.x, w3, m, hidden, dim, e * hidden * dim)
    for (let r = 0; r < m; r++) {
      const ob = pe.rows[r]! * dim
      for (let d = 0; d < dim; d++) dx[ob + d] += dx1[r * dim + d]! + dx3[r * dim + d]!
    }
  }
  // Router: g_k = p_k / S over the kept experts, p = softmax(logits).
  const dlogit = new Float64Array(n * experts)
  const dp = new Float64Array(experts)
  for (let i = 0; i < n; i++) {
    const b = i * experts
    if (dAuxProb === null) dp.fill(0)
    else dp.set(dAuxProb)
    let kept = 0, gdg = 0
    for (let k = 0; k < topK; k++) {
      kept += c.prob[b + c.ids[i * topK + k]!]!
      gdg += c.gains[i * topK + k]! * dgain[i * topK + k]!
    }
    for (let k = 0; k < topK; k++) dp[c.ids[i * topK + k]!] += (dgain[i * topK + k]! - gdg) / kept
    let pdp = 0
    for (let e = 0; e < experts; e++) pdp += c.prob[b + e]! * dp[e]!
    for (let e = 0; e < experts; e++) dlogit[b + e] = c.prob[b + e]! * (dp[e]! - pdp)
  }
  const dxr = new Float64Array(n * dim)
  linearBackward(dxr, dgate, dlogit, x, gate, n, experts, dim)
  for (let r = 0; r < n * dim; r++) dx[r] += dxr[r]!
}

/**
 * Mixtral's load-balancing loss over the routing of all layers (rows of every layer concatenated, as Hugging Face's
 * load_balancing_loss_func does): aux = E · Σ_e f_e · P_e, f_e = (rows with e among their top k) / R,
 * P_e = mean router probability of e over the R rows. Returns aux and d aux / d p[row, e] = E · f_e / R (f is a
 * constant of the routing, so only P carries a gradient).
 */
export function loadBalancing(caches: readonly MoeCache[], s: MoeShape): { aux: number; dProb: Float64Array } {
  const { experts, topK } = s
  let rows = 0
  const count = new Float64Array(experts)
  const psum = new Float64Array(experts)
  for (const c of caches) {
    rows += c.n
    for (let r = 0; r < c.n * topK; r++) count[c.ids[r]!]!++
    for (let i = 0; i < c.n; i++) for (let e = 0; e < experts; e++) psum[e] += c.prob[i * experts + e]!
  }
  let aux = 0
  const dProb = new Float64Array(experts)
  for (let e = 0; e < experts; e++) {
    const f = count[e]! / rows
    aux += f * (psum[e]! / rows)
    dProb[e] = (experts * f) / rows
  }
  return { aux: experts * aux, dProb }
}
