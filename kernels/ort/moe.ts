/**
 * The mixture-of-experts FFN as ONNX subgraphs (specs/lasa.md §Semantics: router = softmax over all expert
 * logits, keep the top k — ties to the lower index, as ONNX TopK orders them — renormalised to sum to 1;
 * expert(x) = w2(silu(w1·x) ⊙ (w3·x))). Two layouts of the same function:
 *  - 'sparse': per expert, gather the rows routed to it, run its FFN, scatter-add back. Cost follows the active
 *    experts; best for prefill chunks (one GEMM per expert over its tokens).
 *  - 'gather': gather the k chosen experts' weights per token and run k GEMVs. Few nodes; best for decode (C = 1).
 * Weights go in pre-transposed ((in, out) for MatMul); the gather layout concatenates w1ᵀ|w3ᵀ so one Gather and one
 * GEMM serve both.
 */
import type { Config } from '../config.ts'
import type { LayerWeights } from '../weights.ts'
import type { GraphBuilder } from './onnx.ts'

export type MoeLayout = 'sparse' | 'gather'

/** Transposes a row-major (rows, cols) matrix into dst (cols, rows) at column offset `col0` of a (cols, ld) matrix. */
export function transposeInto(src: Float32Array, rows: number, cols: number, dst: Float32Array, ld: number, col0: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[c * ld + col0 + r] = src[r * cols + c]!
  }
}

/** Expert e's w1ᵀ, w3ᵀ (dim, hidden) each, their concatenation [w1ᵀ | w3ᵀ] (dim, 2·hidden), and w2ᵀ (hidden, dim). */
function expertMatrices(c: Config, w: LayerWeights, e: number): { w1: Float32Array; w3: Float32Array; w13: Float32Array; w2: Float32Array } {
  const n = c.hidden * c.dim
  const w1 = new Float32Array(n)
  const w3 = new Float32Array(n)
  const w13 = new Float32Array(2 * n)
  const w2 = new Float32Array(n)
  transposeInto(w.w1.subarray(e * n, (e + 1) * n), c.hidden, c.dim, w1, c.hidden, 0)
  transposeInto(w.w3.subarray(e * n, (e + 1) * n), c.hidden, c.dim, w3, c.hidden, 0)
  transposeInto(w.w1.subarray(e * n, (e + 1) * n), c.hidden, c.dim, w13, 2 * c.hidden, 0)
  transposeInto(w.w3.subarray(e * n, (e + 1) * n), c.hidden, c.dim, w13, 2 * c.hidden, c.hidden)
  transposeInto(w.w2.subarray(e * n, (e + 1) * n), c.dim, c.hidden, w2, c.dim, 0)
  return { w1, w3, w13, w2 }
}

/** silu(a) ⊙ b where [a | b] = h split on the last axis. */
function swiglu(g: GraphBuilder, h: string, hidden: number): string {
  const [a, b] = g.op('Split', [h, g.ints('split_hh', [hidden, hidden])], { axis: { i: -1 } }, 2)
  return g.op1('Mul', [g.op1('Mul', [a!, g.op1('Sigmoid', [a!])]), b!])
}

/**
 * x: (C, dim) normalised activations → (C, dim) MoE output. `p` prefixes initializer names (unique per layer).
 */
export function moe(g: GraphBuilder, c: Config, w: LayerWeights, x: string, p: string, layout: MoeLayout): string {
  const gateT = new Float32Array(c.dim * c.experts) // (dim, experts)
  transposeInto(w.gate, c.experts, c.dim, gateT, c.experts, 0)
  const logits = g.op1('MatMul', [x, g.init(`${p}gate`, [c.dim, c.experts], gateT)]) // (C, E)
  const [top, idx] = g.op('TopK', [logits, g.ints('k', [c.topK])], { axis: { i: -1 }, largest: { i: 1 }, sorted: { i: 1 } }, 2)
  const wts = g.op1('Softmax', [top!], { axis: { i: -1 } }) // (C, k): softmax restricted to the top k = renormalised
  return layout === 'gather' ? gatherExperts(g, c, w, x, idx!, wts, p) : sparseExperts(g, c, w, x, idx!, wts, p)
}

function gatherExperts(g: GraphBuilder, c: Config, w: LayerWeights, x: string, idx: string, wts: string, p: string): string {
  const w13 = new Float32Array(c.experts * c.dim * 2 * c.hidden) // (E, dim, 2·hidden)
  const w2 = new Float32Array(c.experts * c.hidden * c.dim) // (E, hidden, dim)
  for (let e = 0; e < c.experts; e++) {
    const m = expertMatrices(c, w, e)
    w13.set(m.w13, e * m.w13.length)
    w2.set(m.w2, e * m.w2.length)
  }
  const W13 = g.op1('Gather', [g.init(`${p}w13`, [c.experts, c.dim, 2 * c.hidden], w13), idx], { axis: { i: 0 } }) // (C, k, dim, 2h)
  const xr = g.op1('Reshape', [x, g.ints('shape_c111d', [0, 1, 1, c.dim])]) // (C, 1, 1, dim)
  const a = swiglu(g, g.op1('MatMul', [xr, W13]), c.hidden) // (C, k, 1, h)
  const W2 = g.op1('Gather', [g.init(`${p}w2`, [c.experts, c.hidden, c.dim], w2), idx], { axis: { i: 0 } }) // (C, k, h, dim)
  const y = g.op1('Reshape', [g.op1('MatMul', [a, W2]), g.ints('shape_c0kd', [0, c.topK, c.dim])]) // (C, k, dim)
  const yw = g.op1('Mul', [y, g.op1('Unsqueeze', [wts, g.ints('axis_m1', [-1])])])
  return g.op1('ReduceSum', [yw, g.ints('axis_1', [1])], { keepdims: { i: 0 } }) // (C, dim)
}

function sparseExperts(g: GraphBuilder, c: Config, w: LayerWeights, x: string, idx: string, wts: string, p: string): string {
  // Sort the C·k (token, expert) assignments by expert (TopK keeps equal keys in index order, i.e. by token), so
  // each expert's rows are one contiguous segment; one Split cuts them all, whatever the counts (zero included).
  const flat = g.op1('Reshape', [idx, g.ints('shape_m1', [-1])]) // (C·k) expert ids
  const [, perm] = g.op('TopK', [flat, g.op1('Shape', [flat])], { axis: { i: 0 }, largest: { i: 0 }, sorted: { i: 1 } }, 2)
  const rows = g.op1('Div', [perm!, g.ints('k_int', [c.topK])]) // (C·k) token of each sorted assignment
  const oneHot = g.op1('OneHot', [flat, g.ints('experts_n', [c.experts]), g.ints('off_on', [0, 1])], { axis: { i: -1 } }) // (C·k, E)
  const counts = g.op1('ReduceSum', [oneHot, g.ints('axis_0', [0])], { keepdims: { i: 0 } }) // (E)
  const xs = g.op1('Gather', [x, rows], { axis: { i: 0 } }) // (C·k, dim), grouped by expert
  const segments = g.op('Split', [xs, counts], { axis: { i: 0 } }, c.experts)
  const ys = segments.map((xe, e) => {
    const m = expertMatrices(c, w, e)
    // Two GEMMs rather than one on [w1ᵀ | w3ᵀ]: the Split that would follow copies, and it measured no faster.
    const h1 = g.op1('MatMul', [xe!, g.init(`${p}experts.${e}.w1`, [c.dim, c.hidden], m.w1)])
    const h3 = g.op1('MatMul', [xe!, g.init(`${p}experts.${e}.w3`, [c.dim, c.hidden], m.w3)])
    const a = g.op1('Mul', [g.op1('Mul', [h1, g.op1('Sigmoid', [h1])]), h3]) // silu(w1·x) ⊙ (w3·x), (n_e, hidden)
    return g.op1('MatMul', [a, g.init(`${p}experts.${e}.w2`, [c.hidden, c.dim], m.w2)]) // (n_e, dim)
  })
  const weight = g.op1('Gather', [g.op1('Reshape', [wts, g.ints('shape_m1', [-1])]), perm!], { axis: { i: 0 } }) // (C·k)
  const y = g.op1('Mul', [g.op1('Concat', ys, { axis: { i: 0 } }), g.op1('Unsqueeze', [weight, g.ints('axis_m1', [-1])])])
  const zeros = g.op1('ConstantOfShape', [g.op1('Shape', [x])]) // (C, dim) of 0.0f
  return g.op1('ScatterND', [zeros, g.op1('Unsqueeze', [rows, g.ints('axis_m1', [-1])]), y], { reduction: { s: 'add' } })
}
