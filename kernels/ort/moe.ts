/**
 * The mixture-of-experts FFN as ONNX subgraphs (specs/lasa.md §Semantics: router = softmax over all expert
 * logits, keep the top k — ties to the lower index, as ONNX TopK orders them — renormalised to sum to 1;
 * expert(x) = w2(silu(w1·x) ⊙ (w3·x))). Two layouts of the same function:
 *  - 'sparse': per expert, gather the rows routed to it, run its FFN, scatter-add back. Cost follows the active
 *    experts; best for prefill chunks (one GEMM per expert over its tokens).
 *  - 'fused': onnxruntime's com.microsoft MoE CPU kernel (SwiGLU with interleaved fc1 rows, swiglu_fusion=1,
 *    activation_alpha=1, activation_beta=0 give exactly silu(w1·x) ⊙ (w3·x)). Fastest for decode (C = 1), slower
 *    than 'sparse' for prefill chunks (bench/engine.ts). Its router breaks ties to the HIGHER index, so the experts
 *    are stored in reverse order: stored index E − 1 − e holds expert e, and ties again go to the lower expert.
 * (A third layout, gathering the chosen experts' weights per token, measured slower than 'fused' for decode:
 * it copies 2·3·hidden·dim floats per token and layer.)
 */
import type { Config } from '../config.ts'
import type { LayerWeights } from '../weights.ts'
import type { GraphBuilder } from './onnx.ts'

export type MoeLayout = 'sparse' | 'fused'

/** Transposes a row-major (rows, cols) matrix into dst (cols, rows) at column offset `col0` of a (cols, ld) matrix. */
export function transposeInto(src: Float32Array, rows: number, cols: number, dst: Float32Array, ld: number, col0: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[c * ld + col0 + r] = src[r * cols + c]!
  }
}

/** Expert e's w1ᵀ, w3ᵀ (dim, hidden) each and w2ᵀ (hidden, dim), for MatMul. */
function expertMatrices(c: Config, w: LayerWeights, e: number): { w1: Float32Array; w3: Float32Array; w2: Float32Array } {
  const n = c.hidden * c.dim
  const w1 = new Float32Array(n)
  const w3 = new Float32Array(n)
  const w2 = new Float32Array(n)
  transposeInto(w.w1.subarray(e * n, (e + 1) * n), c.hidden, c.dim, w1, c.hidden, 0)
  transposeInto(w.w3.subarray(e * n, (e + 1) * n), c.hidden, c.dim, w3, c.hidden, 0)
  transposeInto(w.w2.subarray(e * n, (e + 1) * n), c.dim, c.hidden, w2, c.dim, 0)
  return { w1, w3, w2 }
}

/**
 * x: (C, dim) normalised activations → (C, dim) MoE output. `p` prefixes initializer names (unique per layer).
 */
export function moe(g: GraphBuilder, c: Config, w: LayerWeights, x: string, p: string, layout: MoeLayout): string {
  if (layout === 'fused') return fusedExperts(g, c, w, x, p)
  const gateT = new Float32Array(c.dim * c.experts) // (dim, experts)
  transposeInto(w.gate, c.experts, c.dim, gateT, c.experts, 0)
  const logits = g.op1('MatMul', [x, g.init(`${p}gate`, [c.dim, c.experts], gateT)]) // (C, E)
  const [top, idx] = g.op('TopK', [logits, g.ints('k', [c.topK])], { axis: { i: -1 }, largest: { i: 1 }, sorted: { i: 1 } }, 2)
  const wts = g.op1('Softmax', [top!], { axis: { i: -1 } }) // (C, k): softmax restricted to the top k = renormalised
  return sparseExperts(g, c, w, x, idx!, wts, p)
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

function fusedExperts(g: GraphBuilder, c: Config, w: LayerWeights, x: string, p: string): string {
  const E = c.experts
  const n = c.hidden * c.dim
  const gateT = new Float32Array(c.dim * E) // (dim, E), column E − 1 − e = router row e
  const fc1 = new Float32Array(E * 2 * n) // (E, 2·hidden, dim), rows 2h = w1[h], 2h + 1 = w3[h]
  const fc2 = new Float32Array(E * n) // (E, dim, hidden) = w2 as is
  for (let e = 0; e < E; e++) {
    const s = E - 1 - e
    for (let i = 0; i < c.dim; i++) gateT[i * E + s] = w.gate[e * c.dim + i]!
    for (let h = 0; h < c.hidden; h++) {
      fc1.set(w.w1.subarray(e * n + h * c.dim, e * n + (h + 1) * c.dim), s * 2 * n + 2 * h * c.dim)
      fc1.set(w.w3.subarray(e * n + h * c.dim, e * n + (h + 1) * c.dim), s * 2 * n + (2 * h + 1) * c.dim)
    }
    fc2.set(w.w2.subarray(e * n, (e + 1) * n), s * n)
  }
  const logits = g.op1('MatMul', [x, g.init(`${p}gate_rev`, [c.dim, E], gateT)]) // (C, E) in stored order
  const attrs = {
    k: { i: c.topK },
    activation_type: { s: 'swiglu' },
    swiglu_fusion: { i: 1 },
    activation_alpha: { f: 1 },
    activation_beta: { f: 0 },
    normalize_routing_weights: { i: 1 },
  }
  const fc1Name = g.init(`${p}fc1_rev`, [E, 2 * c.hidden, c.dim], fc1)
  const fc2Name = g.init(`${p}fc2_rev`, [E, c.dim, c.hidden], fc2)
  return g.op('MoE', [x, logits, fc1Name, '', fc2Name], attrs, 1, 'com.microsoft')[0]!
}
