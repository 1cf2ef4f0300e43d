/**
 * Every backward kernel of kernels/train/ against central finite differences in binary64 on small shapes: the
 * scalar checked is Σ dy ⊙ y for a random upstream gradient dy, so its gradient is exactly what the kernel returns.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mulberry32 } from '../../../kernels/random.ts'
import { attentionBackward, attentionForward, probOffsets, type AttentionShape } from '../../../kernels/train/attention.ts'
import { linearBackward, mm } from '../../../kernels/train/linear.ts'
import { crossEntropy } from '../../../kernels/train/loss.ts'
import { loadBalancing, moeBackward, moeForward, type MoeShape } from '../../../kernels/train/moe.ts'
import { rmsnormBackward, rmsnormForward } from '../../../kernels/train/norm.ts'
import { ropeApply, ropeTables } from '../../../kernels/train/rope.ts'
import { checkFiniteDifference } from './finite-difference.ts'

function rnd(n: number, seed: number, scale = 1): Float64Array {
  const r = mulberry32(seed)
  return Float64Array.from({ length: n }, () => scale * (2 * r() - 1))
}
const dotAll = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0)

const check = checkFiniteDifference

test('linear: dx = dy·W and dW += dyᵀ·x (accumulated)', () => {
  const m = 5, n = 6, k = 7
  const x = rnd(m * k, 1), w = rnd(n * k, 2), dy = rnd(m * n, 3)
  const f = () => { const y = new Float64Array(m * n); mm(y, x, w, m, n, k); return dotAll(y, dy) }
  const dx = new Float64Array(m * k), dw = new Float64Array(n * k).fill(0.5)
  linearBackward(dx, dw, dy, x, w, m, n, k)
  check('dx', x, dx, f)
  check('dW', w, dw.map((v) => v - 0.5), f)
})

test('rmsnorm: dx and dw', () => {
  const n = 3, d = 8
  const x = rnd(n * d, 4), w = rnd(d, 5), dy = rnd(n * d, 6)
  const f = () => { const y = new Float64Array(n * d); rmsnormForward(y, new Float64Array(n), x, w, n, d, 1e-5); return dotAll(y, dy) }
  const r = new Float64Array(n)
  rmsnormForward(new Float64Array(n * d), r, x, w, n, d, 1e-5)
  const dx = new Float64Array(n * d), dw = new Float64Array(d)
  rmsnormBackward(dx, dw, dy, x, r, w, n, d)
  check('dx', x, dx, f)
  check('dw', w, dw, f)
})

test('rope: the backward pass is the inverse rotation, and matches finite differences', () => {
  const heads = 3, hd = 6, pos = 5
  const { cos, sin } = ropeTables(pos + 1, hd, 10000)
  const x = rnd(heads * hd, 7), dy = rnd(heads * hd, 8)
  const f = () => { const y = x.slice(); ropeApply(y, 0, heads, hd, pos, cos, sin, 1); return dotAll(y, dy) }
  const dx = dy.slice()
  ropeApply(dx, 0, heads, hd, pos, cos, sin, -1)
  check('dx', x, dx, f)
  const y = x.slice()
  ropeApply(y, 0, heads, hd, pos, cos, sin, 1)
  ropeApply(y, 0, heads, hd, pos, cos, sin, -1)
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(y[i]! - x[i]!) < 1e-14)
})

for (const [label, s] of [
  ['LASA (G 2, W 3, GQA 4→2, slopes)', { heads: 4, kvHeads: 2, headDim: 4, window: 3, globals: 2 }],
  ['plain causal (W ∞, G 0)', { heads: 2, kvHeads: 1, headDim: 4, window: Infinity, globals: 0 }],
] as Array<[string, AttentionShape]>) {
  test(`attention ${label}: dq, dk, dv, dslope`, () => {
    const t = 9, qd = s.heads * s.headDim, kd = s.kvHeads * s.headDim
    const q = rnd(t * qd, 9), k = rnd(t * kd, 10), v = rnd(t * kd, 11), dy = rnd(t * qd, 12)
    const slope = Number.isFinite(s.window) ? rnd(s.heads, 13, 2) : null
    const off = probOffsets(t, s)
    const f = () => { const o = new Float64Array(t * qd); attentionForward(o, new Float64Array(s.heads * off[t]!), q, k, v, 0, t, s, slope, off); return dotAll(o, dy) }
    const prob = new Float64Array(s.heads * off[t]!)
    attentionForward(new Float64Array(t * qd), prob, q, k, v, 0, t, s, slope, off)
    const dq = new Float64Array(t * qd), dk = new Float64Array(t * kd), dv = new Float64Array(t * kd)
    const ds = slope === null ? null : new Float64Array(s.heads)
    attentionBackward(dq, dk, dv, ds, dy, prob, q, k, v, 0, t, s, slope, off)
    check('dq', q, dq, f)
    check('dk', k, dk, f)
    check('dv', v, dv, f)
    if (slope !== null && ds !== null) check('dslope', slope, ds, f)
  })
}

test('router + top-2 MoE + load-balancing gradient: dx, dgate, dw1, dw3, dw2', () => {
  const s: MoeShape = { dim: 6, hidden: 5, experts: 4, topK: 2 }
  const n = 7
  const x = rnd(n * s.dim, 14), gate = rnd(s.experts * s.dim, 15, 2)
  const w1 = rnd(s.experts * s.hidden * s.dim, 16), w3 = rnd(s.experts * s.hidden * s.dim, 17), w2 = rnd(s.experts * s.dim * s.hidden, 18)
  const dy = rnd(n * s.dim, 19)
  const coef = 0.3
  // f = Σ dy ⊙ MoE(x) + coef · aux: the aux term's gradient enters through dAuxProb.
  const f = () => {
    const o = new Float64Array(n * s.dim)
    const c = moeForward(o, x, n, s, gate, w1, w3, w2)
    return dotAll(o, dy) + coef * loadBalancing([c], s).aux
  }
  const c = moeForward(new Float64Array(n * s.dim), x, n, s, gate, w1, w3, w2)
  const dAux = loadBalancing([c], s).dProb.map((d) => d * coef)
  const dx = new Float64Array(n * s.dim), dg = new Float64Array(gate.length), d1 = new Float64Array(w1.length), d3 = new Float64Array(w3.length), d2 = new Float64Array(w2.length)
  moeBackward(dx, dg, d1, d3, d2, dy, x, c, s, dAux, gate, w1, w3, w2)
  check('dx', x, dx, f)
  check('dgate', gate, dg, f)
  check('dw1', w1, d1, f)
  check('dw3', w3, d3, f)
  check('dw2', w2, d2, f)
})

test('load balancing equals E · Σ f_e · P_e over all layers\' rows (Mixtral), topK at perfect balance', () => {
  const s: MoeShape = { dim: 2, hidden: 1, experts: 2, topK: 1 }
  // Two layers, two rows each; router probabilities set directly.
  const mk = (p: number[], ids: number[]) => ({ n: ids.length, prob: Float64Array.from(p), ids: Int32Array.from(ids), gains: new Float64Array(ids.length).fill(1), perExpert: [] })
  const { aux } = loadBalancing([mk([0.9, 0.1, 0.2, 0.8], [0, 1]), mk([0.6, 0.4, 0.7, 0.3], [0, 0])], s)
  const f = [3 / 4, 1 / 4], P = [(0.9 + 0.2 + 0.6 + 0.7) / 4, (0.1 + 0.8 + 0.4 + 0.3) / 4]
  assert.ok(Math.abs(aux - 2 * (f[0]! * P[0]! + f[1]! * P[1]!)) < 1e-15)
  const balanced = loadBalancing([mk([0.5, 0.5, 0.5, 0.5], [0, 1])], s).aux
  assert.ok(Math.abs(balanced - 1) < 1e-15)
})

test('cross-entropy: dlogits, rows without a target take no part', () => {
  const n = 4, vocab = 6
  const logits = rnd(n * vocab, 20, 3), targets = Int32Array.from([2, -1, 5, 0])
  const f = () => crossEntropy(null, logits, targets, n, vocab, 1)
  const d = new Float64Array(n * vocab)
  const loss = crossEntropy(d, logits, targets, n, vocab, 1)
  assert.equal(loss, f())
  check('dlogits', logits, d, f)
  for (let v = 0; v < vocab; v++) assert.equal(d[vocab + v], 0)
})
