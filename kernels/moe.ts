/**
 * The sparse MoE block (specs/lasa.md §MoE): router softmax over all experts, keep the top k (ties to the lower
 * index), renormalise; expert(x) = w2 · (silu(w1·x) ⊙ (w3·x)) on stacked expert weights selected by id.
 * moe() groups the tokens per expert so each expert runs one matmul per call; moeNaive() is the per-token loop
 * it must equal.
 */
import type { Config } from './config.ts'
import { matmulT } from './matmul.ts'
import { silu, softmaxInPlace } from './ops.ts'
import type { LayerWeights } from './weights.ts'

/** Router decision for t tokens: ids (t, topK) in decreasing probability, weights (t, topK) summing to 1 per token. */
export interface Routing {
  ids: Int32Array
  weights: Float64Array
}

/** Routes t tokens x (t, dim). */
export function route(x: Float32Array, t: number, c: Config, w: LayerWeights): Routing {
  const logits = new Float32Array(t * c.experts) // (t, experts)
  matmulT(logits, x, w.gate, t, c.experts, c.dim)
  const ids = new Int32Array(t * c.topK)
  const weights = new Float64Array(t * c.topK)
  const p = new Float64Array(c.experts)
  for (let i = 0; i < t; i++) {
    for (let e = 0; e < c.experts; e++) p[e] = logits[i * c.experts + e]!
    softmaxInPlace(p, c.experts)
    let sum = 0
    for (let s = 0; s < c.topK; s++) {
      let best = -1
      for (let e = 0; e < c.experts; e++) if (p[e]! >= 0 && (best < 0 || p[e]! > p[best]!)) best = e // strict >: ties keep the lower index
      ids[i * c.topK + s] = best
      weights[i * c.topK + s] = p[best]!
      sum += p[best]!
      p[best] = -1 // taken
    }
    for (let s = 0; s < c.topK; s++) weights[i * c.topK + s]! /= sum
  }
  return { ids, weights }
}

/**
 * out (t, dim) = MoE(x (t, dim)). Tokens are grouped per expert: expert e gathers its n_e rows and runs
 * three matmuls (n_e, dim)·w1ᵀ, ·w3ᵀ, then (n_e, hidden)·w2ᵀ. Contributions are added in expert-index order.
 */
export function moe(out: Float32Array, x: Float32Array, t: number, c: Config, w: LayerWeights, routing = route(x, t, c, w)): void {
  const { dim, hidden, experts, topK } = c
  const count = new Int32Array(experts)
  for (let r = 0; r < t * topK; r++) count[routing.ids[r]!]!++
  let maxN = 0
  for (let e = 0; e < experts; e++) maxN = Math.max(maxN, count[e]!)
  const xe = new Float32Array(maxN * dim) // (n_e, dim) gathered rows
  const h1 = new Float32Array(maxN * hidden) // (n_e, hidden)
  const h3 = new Float32Array(maxN * hidden) // (n_e, hidden)
  const ye = new Float32Array(maxN * dim) // (n_e, dim)
  const rows = new Int32Array(maxN)
  const gains = new Float64Array(maxN)
  out.fill(0, 0, t * dim)
  for (let e = 0; e < experts; e++) {
    let n = 0
    for (let i = 0; i < t; i++) {
      for (let s = 0; s < topK; s++) {
        if (routing.ids[i * topK + s] === e) {
          rows[n] = i
          gains[n] = routing.weights[i * topK + s]!
          xe.set(x.subarray(i * dim, (i + 1) * dim), n * dim)
          n++
        }
      }
    }
    if (n === 0) continue
    matmulT(h1, xe, w.w1, n, hidden, dim, e * hidden * dim)
    matmulT(h3, xe, w.w3, n, hidden, dim, e * hidden * dim)
    for (let r = 0; r < n * hidden; r++) h1[r] = Math.fround(silu(h1[r]!)) * h3[r]!
    matmulT(ye, h1, w.w2, n, dim, hidden, e * dim * hidden)
    for (let r = 0; r < n; r++) {
      const ob = rows[r]! * dim
      const g = gains[r]!
      for (let d = 0; d < dim; d++) out[ob + d] += Math.fround(g * ye[r * dim + d]!)
    }
  }
}

/** The same MoE, token by token and expert by expert (for the equality test; never used for inference). */
export function moeNaive(out: Float32Array, x: Float32Array, t: number, c: Config, w: LayerWeights): void {
  const { dim, hidden, topK } = c
  const routing = route(x, t, c, w)
  const h1 = new Float32Array(hidden)
  const y = new Float32Array(dim)
  out.fill(0, 0, t * dim)
  for (let i = 0; i < t; i++) {
    // Visit the chosen experts in index order, as moe() does, so both sum in the same order.
    const chosen = Array.from({ length: topK }, (_, s) => s).sort((a, b) => routing.ids[i * topK + a]! - routing.ids[i * topK + b]!)
    for (const s of chosen) {
      const e = routing.ids[i * topK + s]!
      for (let r = 0; r < hidden; r++) {
        let a = 0
        let b = 0
        for (let d = 0; d < dim; d++) {
          a += w.w1[(e * hidden + r) * dim + d]! * x[i * dim + d]!
          b += w.w3[(e * hidden + r) * dim + d]! * x[i * dim + d]!
        }
        h1[r] = Math.fround(silu(Math.fround(a))) * Math.fround(b)
      }
      for (let d = 0; d < dim; d++) {
        let a = 0
        for (let r = 0; r < hidden; r++) a += w.w2[(e * dim + d) * hidden + r]! * h1[r]!
        y[d] = a
      }
      const g = routing.weights[i * topK + s]!
      for (let d = 0; d < dim; d++) out[i * dim + d] += Math.fround(g * y[d]!)
    }
  }
}
