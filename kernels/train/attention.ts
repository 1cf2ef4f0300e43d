/**
 * LASA attention forward and backward over one whole sequence in binary64 (specs/lasa.md §5 step 2.4, §12).
 * Query i (absolute position i, sequences start at 0) sees K(i) = { j ≤ i : j < G or i − j < W }, in increasing j,
 * with score(i, j) = q_i·k_j/√d − softplus(slope[h])·log₂(1 + i − j). Positions outside K(i) are never computed.
 * The forward pass keeps the probabilities; the backward pass visits (i, h, j) in the same order, so every
 * accumulation (dk_j, dv_j over i; the slope over i and j) has a fixed order.
 */
import { softplus } from '../ops.ts'

export interface AttentionShape {
  heads: number
  kvHeads: number
  headDim: number
  window: number // W (Infinity: plain causal)
  globals: number // G
}

/** The key positions of query i in order: sinks [0, sinkEnd), then [localStart, i]. */
function keys(i: number, s: AttentionShape): { sinkEnd: number; localStart: number; n: number } {
  const sinkEnd = Math.min(s.globals, i + 1)
  const localStart = Math.max(s.globals, i - s.window + 1)
  return { sinkEnd, localStart, n: sinkEnd + Math.max(0, i + 1 - localStart) }
}

/** Offsets of each query's probabilities in the flat array (T + 1 entries; entry T is the total per head). */
export function probOffsets(t: number, s: AttentionShape): Int32Array {
  const off = new Int32Array(t + 1)
  for (let i = 0; i < t; i++) off[i + 1] = off[i]! + keys(i, s).n
  return off
}

/**
 * out (T, H·d) from q (T, H·d) and k, v (T, Hkv·d), all after RoPE, rows starting at row `row0`.
 * prob (heads · total keys): query i, head h occupies [h·total + off[i], … + n_i).
 */
export function attentionForward(out: Float64Array, prob: Float64Array, q: Float64Array, k: Float64Array, v: Float64Array, row0: number, t: number, s: AttentionShape, slope: Float64Array | null, off: Int32Array): void {
  const { heads, kvHeads, headDim } = s
  const qDim = heads * headDim
  const kvDim = kvHeads * headDim
  const group = heads / kvHeads
  const scale = 1 / Math.sqrt(headDim)
  const total = off[t]!
  for (let i = 0; i < t; i++) {
    const { sinkEnd, localStart, n } = keys(i, s)
    for (let h = 0; h < heads; h++) {
      const qb = (row0 + i) * qDim + h * headDim
      const kvOff = Math.floor(h / group) * headDim
      const pen = slope === null ? 0 : softplus(slope[h]!)
      const pb = h * total + off[i]!
      let max = -Infinity
      for (let r = 0; r < n; r++) {
        const j = r < sinkEnd ? r : localStart + (r - sinkEnd)
        const kb = (row0 + j) * kvDim + kvOff
        let dot = 0
        for (let d = 0; d < headDim; d++) dot += q[qb + d]! * k[kb + d]!
        const sc = dot * scale - (pen === 0 ? 0 : pen * Math.log2(1 + i - j))
        prob[pb + r] = sc
        if (sc > max) max = sc
      }
      let sum = 0
      for (let r = 0; r < n; r++) sum += prob[pb + r] = Math.exp(prob[pb + r]! - max)
      for (let r = 0; r < n; r++) prob[pb + r]! /= sum
      const ob = (row0 + i) * qDim + h * headDim
      for (let d = 0; d < headDim; d++) out[ob + d] = 0
      for (let r = 0; r < n; r++) {
        const j = r < sinkEnd ? r : localStart + (r - sinkEnd)
        const vb = (row0 + j) * kvDim + kvOff
        const pr = prob[pb + r]!
        for (let d = 0; d < headDim; d++) out[ob + d] += pr * v[vb + d]!
      }
    }
  }
}

/**
 * Given dout (T, H·d): dq (T, H·d), dk, dv (T, Hkv·d) ACCUMULATED (+=), and dslope (heads) += the slope gradient
 * (d softplus(s)/ds = sigmoid(s)). Queries in order, then heads, then keys.
 */
export function attentionBackward(dq: Float64Array, dk: Float64Array, dv: Float64Array, dslope: Float64Array | null, dout: Float64Array, prob: Float64Array, q: Float64Array, k: Float64Array, v: Float64Array, row0: number, t: number, s: AttentionShape, slope: Float64Array | null, off: Int32Array): void {
  const { heads, kvHeads, headDim } = s
  const qDim = heads * headDim
  const kvDim = kvHeads * headDim
  const group = heads / kvHeads
  const scale = 1 / Math.sqrt(headDim)
  const total = off[t]!
  const dpen = new Float64Array(heads)
  const ds = new Float64Array(s.globals + Math.min(s.window, t) + 1)
  for (let i = 0; i < t; i++) {
    const { sinkEnd, localStart, n } = keys(i, s)
    for (let h = 0; h < heads; h++) {
      const qb = (row0 + i) * qDim + h * headDim
      const kvOff = Math.floor(h / group) * headDim
      const pb = h * total + off[i]!
      let dot = 0 // Σ_r P_r · dP_r
      for (let r = 0; r < n; r++) {
        const j = r < sinkEnd ? r : localStart + (r - sinkEnd)
        const vb = (row0 + j) * kvDim + kvOff
        let dp = 0
        for (let d = 0; d < headDim; d++) dp += dout[qb + d]! * v[vb + d]!
        ds[r] = dp
        dot += prob[pb + r]! * dp
      }
      for (let r = 0; r < n; r++) {
        const j = r < sinkEnd ? r : localStart + (r - sinkEnd)
        const kb = (row0 + j) * kvDim + kvOff
        const pr = prob[pb + r]!
        const g = pr * (ds[r]! - dot) // d loss / d score(i, j)
        for (let d = 0; d < headDim; d++) {
          dv[kb + d] += pr * dout[qb + d]!
          dq[qb + d] += g * scale * k[kb + d]!
          dk[kb + d] += g * scale * q[qb + d]!
        }
        if (i !== j) dpen[h] -= g * Math.log2(1 + i - j)
      }
    }
  }
  if (slope !== null && dslope !== null) for (let h = 0; h < heads; h++) dslope[h] += dpen[h]! / (1 + Math.exp(-slope[h]!))
}
