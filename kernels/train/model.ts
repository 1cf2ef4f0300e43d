/**
 * The training objective of a whole model and its gradient, in binary64 (specs/lasa.md §12):
 *   loss = mean over target tokens of −log p(target) + auxCoef · aux
 * with aux Mixtral's load-balancing loss over all layers' routing (moe.ts loadBalancing). A batch is several
 * sequences laid end to end; each starts at absolute position 0 (its first token is normally BOS).
 */
import type { Config } from '../config.ts'
import { attentionBackward, attentionForward, probOffsets, type AttentionShape } from './attention.ts'
import { linearBackward, mm } from './linear.ts'
import { crossEntropy } from './loss.ts'
import { loadBalancing, moeBackward, moeForward, type MoeCache, type MoeShape } from './moe.ts'
import { rmsnormBackward, rmsnormForward } from './norm.ts'
import type { Params } from './params.ts'
import { ropeApply, ropeTables } from './rope.ts'

export interface Batch {
  tokens: Int32Array // (n) input tokens of all sequences, end to end
  targets: Int32Array // (n) the token to predict at each row, −1 for none
  starts: number[] // first row of each sequence, then n
}

export interface LossResult {
  loss: number // ce + auxCoef · aux
  ce: number // mean cross-entropy (nats per target token)
  aux: number // load-balancing loss E · Σ f_e · P_e (topK at perfect balance)
  targets: number // rows with a target
}

interface LayerCache {
  xIn: Float64Array; h1: Float64Array; r1: Float64Array; q: Float64Array; k: Float64Array; v: Float64Array
  prob: Float64Array[]; att: Float64Array; xMid: Float64Array; h2: Float64Array; r2: Float64Array; moe: MoeCache
}

/**
 * Which weight gradients lossAndGrad computes: 'all', or 'attention' — the MoE's (router and experts) and lm_head's
 * weight gradients are skipped and stay as they were (LoRA trains only attention adapters, specs/lasa.md §12.5);
 * every other gradient, the activations' included, is computed exactly as with 'all'.
 */
export type WeightGrads = 'all' | 'attention'

/**
 * Loss of `batch` under `p`; when `grads` is given, ADDS d loss / d p into it (zero it first for a plain gradient).
 * `scales` weigh the two terms for micro-batching (trainer.ts): by default the cross-entropy is averaged over this
 * batch's targets (ce = 1/targets) and the auxiliary loss counts once (aux = 1); the returned figures are unscaled.
 */
export function lossAndGrad(p: Params, c: Config, batch: Batch, auxCoef: number, grads: Params | null, scales?: { ce: number; aux: number }, weights: WeightGrads = 'all'): LossResult {
  const { dim, vocab } = c
  const n = batch.tokens.length
  const qDim = c.heads * c.headDim
  const kvDim = c.kvHeads * c.headDim
  const moeShape: MoeShape = { dim, hidden: c.hidden, experts: c.experts, topK: c.topK }
  const starts = batch.starts
  let longest = 0
  for (let s = 0; s + 1 < starts.length; s++) longest = Math.max(longest, starts[s + 1]! - starts[s]!)
  const { cos, sin } = ropeTables(longest, c.headDim, c.ropeTheta)
  const pos = new Int32Array(n)
  for (let s = 0; s + 1 < starts.length; s++) for (let r = starts[s]!; r < starts[s + 1]!; r++) pos[r] = r - starts[s]!

  const x = new Float64Array(n * dim)
  for (let i = 0; i < n; i++) x.set(p.embed.subarray(batch.tokens[i]! * dim, (batch.tokens[i]! + 1) * dim), i * dim)
  const caches: LayerCache[] = []
  for (let l = 0; l < c.layers; l++) {
    const lp = p.layers[l]!
    const shape: AttentionShape = { heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, window: c.window[l]!, globals: c.globals }
    const xIn = x.slice()
    const h1 = new Float64Array(n * dim), r1 = new Float64Array(n)
    rmsnormForward(h1, r1, x, lp.attnNorm, n, dim, c.eps)
    const q = new Float64Array(n * qDim), k = new Float64Array(n * kvDim), v = new Float64Array(n * kvDim)
    mm(q, h1, lp.wq, n, qDim, dim)
    mm(k, h1, lp.wk, n, kvDim, dim)
    mm(v, h1, lp.wv, n, kvDim, dim)
    for (let i = 0; i < n; i++) {
      ropeApply(q, i * qDim, c.heads, c.headDim, pos[i]!, cos, sin, 1)
      ropeApply(k, i * kvDim, c.kvHeads, c.headDim, pos[i]!, cos, sin, 1)
    }
    const att = new Float64Array(n * qDim)
    const prob: Float64Array[] = []
    for (let s = 0; s + 1 < starts.length; s++) {
      const t = starts[s + 1]! - starts[s]!
      const off = probOffsets(t, shape)
      const pr = new Float64Array(c.heads * off[t]!)
      attentionForward(att, pr, q, k, v, starts[s]!, t, shape, lp.slope, off)
      prob.push(pr)
    }
    const o = new Float64Array(n * dim)
    mm(o, att, lp.wo, n, dim, qDim)
    for (let r = 0; r < n * dim; r++) x[r] += o[r]!
    const xMid = x.slice()
    const h2 = new Float64Array(n * dim), r2 = new Float64Array(n)
    rmsnormForward(h2, r2, x, lp.ffnNorm, n, dim, c.eps)
    const moe = moeForward(o, h2, n, moeShape, lp.gate, lp.w1, lp.w3, lp.w2)
    for (let r = 0; r < n * dim; r++) x[r] += o[r]!
    caches.push({ xIn, h1, r1, q, k, v, prob, att, xMid, h2, r2, moe })
  }
  const hf = new Float64Array(n * dim), rf = new Float64Array(n)
  rmsnormForward(hf, rf, x, p.norm, n, dim, c.eps)
  const logits = new Float64Array(n * vocab)
  mm(logits, hf, p.lmHead, n, vocab, dim)
  let targets = 0
  for (let i = 0; i < n; i++) if (batch.targets[i]! >= 0) targets++
  const mean = targets === 0 ? 0 : 1 / targets
  const dlogits = grads === null ? null : new Float64Array(n * vocab)
  const ceSum = crossEntropy(dlogits, logits, batch.targets, n, vocab, scales?.ce ?? mean)
  const lb = loadBalancing(caches.map((lc) => lc.moe), moeShape)
  const result: LossResult = { loss: ceSum * mean + auxCoef * lb.aux, ce: ceSum * mean, aux: lb.aux, targets }
  if (grads === null || dlogits === null) return result

  // Backward, layers in reverse order.
  const dhf = new Float64Array(n * dim)
  const all = weights === 'all'
  linearBackward(dhf, all ? grads.lmHead : null, dlogits, hf, p.lmHead, n, vocab, dim)
  const dx = new Float64Array(n * dim)
  rmsnormBackward(dx, grads.norm, dhf, x, rf, p.norm, n, dim)
  const auxWeight = auxCoef * (scales?.aux ?? 1)
  const dAux = auxWeight === 0 ? null : lb.dProb.map((d) => d * auxWeight)
  for (let l = c.layers - 1; l >= 0; l--) {
    const lp = p.layers[l]!, lg = grads.layers[l]!, lc = caches[l]!
    const shape: AttentionShape = { heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, window: c.window[l]!, globals: c.globals }
    const dh = new Float64Array(n * dim)
    moeBackward(dh, all ? lg.gate : null, all ? lg.w1 : null, all ? lg.w3 : null, all ? lg.w2 : null, dx, lc.h2, lc.moe, moeShape, dAux, lp.gate, lp.w1, lp.w3, lp.w2)
    rmsnormBackward(dx, lg.ffnNorm, dh, lc.xMid, lc.r2, lp.ffnNorm, n, dim)
    const datt = new Float64Array(n * qDim)
    linearBackward(datt, lg.wo, dx, lc.att, lp.wo, n, dim, qDim)
    const dq = new Float64Array(n * qDim), dk = new Float64Array(n * kvDim), dv = new Float64Array(n * kvDim)
    for (let s = 0; s + 1 < starts.length; s++) {
      const t = starts[s + 1]! - starts[s]!
      attentionBackward(dq, dk, dv, lg.slope, datt, lc.prob[s]!, lc.q, lc.k, lc.v, starts[s]!, t, shape, lp.slope, probOffsets(t, shape))
    }
    for (let i = 0; i < n; i++) {
      ropeApply(dq, i * qDim, c.heads, c.headDim, pos[i]!, cos, sin, -1)
      ropeApply(dk, i * kvDim, c.kvHeads, c.headDim, pos[i]!, cos, sin, -1)
    }
    const dhq = new Float64Array(n * dim), dhk = new Float64Array(n * dim), dhv = new Float64Array(n * dim)
    linearBackward(dhq, lg.wq, dq, lc.h1, lp.wq, n, qDim, dim)
    linearBackward(dhk, lg.wk, dk, lc.h1, lp.wk, n, kvDim, dim)
    linearBackward(dhv, lg.wv, dv, lc.h1, lp.wv, n, kvDim, dim)
    for (let r = 0; r < n * dim; r++) dh[r] = dhq[r]! + dhk[r]! + dhv[r]!
    rmsnormBackward(dx, lg.attnNorm, dh, lc.xIn, lc.r1, lp.attnNorm, n, dim)
  }
  for (let i = 0; i < n; i++) {
    const eb = batch.tokens[i]! * dim
    for (let d = 0; d < dim; d++) grads.embed[eb + d] += dx[i * dim + d]!
  }
  return result
}
