/**
 * The transformer as one ONNX graph that processes a chunk of C new tokens against a bounded KV cache
 * (specs/lasa.md §Semantics). Everything that depends on positions comes in as inputs, computed by cache.ts:
 *
 *   tokens          int64 (C)
 *   cos, sin        f32   (C, 1, headDim)             RoPE tables at the chunk's absolute positions
 *   cache_k.L/_v.L  f32   (S, kvHeads, headDim)       layer L's cache slots in use (keys after RoPE)
 *   keys.G          int64 (nb, Tk)                    per block, the rows of [cache_k.L | chunk keys] it attends to
 *   dist.G          f32   (nb, 1, B, Tk)              log2(1 + i − j) (0 for plain Mixtral) for j ∈ K(i), +∞ otherwise;
 *                                                     G = the layer's window group
 *   rows            int64 (R)                         the chunk positions whose logits are wanted (R ≤ C, may be 0)
 *   blocks          int64 (2)                         [nb, B]: C = nb·B queries in nb attention blocks (prefill only)
 * and the outputs are
 *   logits          f32   (R, vocab)
 *   k.L, v.L        f32   (C, kvHeads, headDim)       the chunk's new keys (after RoPE) and values
 *
 * with C = nb·B queries in nb blocks of B and Tk = G + W − 1 + B keys per block (attention.ts), so attention costs
 * O(C·(G + W + B)) and nothing grows inside the graph: the caller owns the cache (cache.ts).
 * Layers with the same window share the keys/dist inputs. Initializer names are unique per layer.
 */
import type { Config } from '../config.ts'
import type { Weights } from '../weights.ts'
import { GraphBuilder } from './onnx.ts'
import { blockedAttention } from './attention.ts'
import { moe, transposeInto, type MoeLayout } from './moe.ts'

/** x / sqrt(mean(x²) + eps) · weight (the pattern ORT fuses into SimplifiedLayerNormalization). */
function rmsNorm(g: GraphBuilder, x: string, weight: string, eps: number): string {
  const ms = g.op1('ReduceMean', [g.op1('Pow', [x, g.scalar('f_two', 2)])], { axes: { ints: [-1] }, keepdims: { i: 1 } })
  const rms = g.op1('Sqrt', [g.op1('Add', [ms, g.scalar('f_eps', eps)])])
  return g.op1('Mul', [g.op1('Div', [x, rms]), weight])
}

/**
 * The fused projection (dim, n) = [Wq·s | Wk | Wq·R·s | Wk·R | Wv] with s = 1/√headDim folded into the queries and
 * R the rotate_half matrix per head, so RoPE of queries and keys together is [q|k]·cos + [qR|kR]·sin.
 */
function qkvMatrix(c: Config, wq: Float32Array, wk: Float32Array, wv: Float32Array): Float32Array {
  const q = c.heads * c.headDim
  const kv = c.kvHeads * c.headDim
  const n = 2 * q + 3 * kv
  const out = new Float32Array(c.dim * n)
  const half = c.headDim / 2
  const s = 1 / Math.sqrt(c.headDim)
  // Row r of W (out, in) becomes column col0 + r; rotate_half(y)[k] = −y[k + half] (k < half), y[k − half] (k ≥ half).
  const put = (w: Float32Array, rows: number, col0: number, scale: number, rotate: boolean) => {
    for (let r = 0; r < rows; r++) {
      const head = Math.floor(r / c.headDim)
      const k = r % c.headDim
      const src = rotate ? head * c.headDim + (k < half ? k + half : k - half) : r
      const sign = rotate && k < half ? -scale : scale
      for (let i = 0; i < c.dim; i++) out[i * n + col0 + r] = sign * w[src * c.dim + i]!
    }
  }
  put(wq, q, 0, s, false)
  put(wk, kv, q, 1, false)
  put(wq, q, q + kv, s, true)
  put(wk, kv, 2 * q + kv, 1, true)
  put(wv, kv, 2 * q + 2 * kv, 1, false)
  return out
}

function attention(g: GraphBuilder, c: Config, w: Weights, l: number, x: string, cos: string, sin: string, kind: GraphKind): string {
  const lw = w.layers[l]!
  const p = `layers.${l}.`
  const q = c.heads * c.headDim
  const kv = c.kvHeads * c.headDim
  const D = c.headDim

  const xn = rmsNorm(g, x, g.init(`${p}attn_norm`, [c.dim], lw.attnNorm), c.eps)
  const W = g.init(`${p}wqkv`, [c.dim, 2 * q + 3 * kv], qkvMatrix(c, lw.wq, lw.wk, lw.wv))
  const qkv = g.op1('MatMul', [xn, W])
  const [qk, qkR, va] = g.op('Split', [qkv, g.ints('split_qkv', [q + kv, q + kv, kv])], { axis: { i: -1 } }, 3)
  const headsShape = g.ints('shape_c_hkv_d', [0, c.heads + c.kvHeads, D])
  const roped = g.op1('Add', [
    g.op1('Mul', [g.op1('Reshape', [qk!, headsShape]), cos]),
    g.op1('Mul', [g.op1('Reshape', [qkR!, headsShape]), sin]),
  ]) // (C, H + KV, D)
  const [qr, kr] = g.op('Split', [roped, g.ints('split_h_kv', [c.heads, c.kvHeads])], { axis: { i: 1 } }, [`q.${l}`, `k.${l}`])
  const vr = g.op('Reshape', [va!, g.ints('shape_c_kv_d', [0, c.kvHeads, D])], {}, [`v.${l}`])[0]! // (C, KV, D)
  g.declareOutput(`k.${l}`, 'float32', ['C', c.kvHeads, D])
  g.declareOutput(`v.${l}`, 'float32', ['C', c.kvHeads, D])
  const merged = blockedAttention(g, c, w, l, qr!, kr!, vr, kind === 'decode') // (C, H·D)
  const woT = new Float32Array(q * c.dim)
  transposeInto(lw.wo, c.dim, q, woT, c.dim, 0)
  return g.op1('Add', [x, g.op1('MatMul', [merged, g.init(`${p}wo`, [q, c.dim], woT)])])
}

/**
 * Which graph: 'prefill' runs chunks of any size (blocked attention, the standard-op sparse MoE); 'decode' runs one
 * token (no block reshapes, onnxruntime's fused MoE kernel). Both compute the same function.
 */
export type GraphKind = 'prefill' | 'decode'

/** The whole model as one graph of the given kind, serialised. */
export function buildModel(c: Config, w: Weights, kind: GraphKind): Uint8Array {
  const layout: MoeLayout = kind === 'decode' ? 'fused' : 'sparse'
  const g = new GraphBuilder()
  const tokens = g.input('tokens', 'int64', ['C'])
  const cos = g.input('cos', 'float32', ['C', 1, c.headDim])
  const sin = g.input('sin', 'float32', ['C', 1, c.headDim])
  let x = g.op1('Gather', [g.init('embed', [c.vocab, c.dim], w.embed), tokens], { axis: { i: 0 } }) // (C, dim)
  for (let l = 0; l < c.layers; l++) {
    const lw = w.layers[l]!
    x = attention(g, c, w, l, x, cos, sin, kind)
    const xn = rmsNorm(g, x, g.init(`layers.${l}.ffn_norm`, [c.dim], lw.ffnNorm), c.eps)
    x = g.op1('Add', [x, moe(g, c, lw, xn, `layers.${l}.`, layout)])
  }
  const lmT = new Float32Array(c.dim * c.vocab)
  transposeInto(w.lmHead, c.vocab, c.dim, lmT, c.vocab, 0)
  const picked = g.op1('Gather', [x, g.input('rows', 'int64', ['R'])], { axis: { i: 0 } }) // (R, dim)
  const h = rmsNorm(g, picked, g.init('norm', [c.dim], w.norm), c.eps)
  g.op('MatMul', [h, g.init('lm_head', [c.dim, c.vocab], lmT)], {}, ['logits'])
  g.declareOutput('logits', 'float32', ['R', c.vocab])
  return g.encode(`aip-${kind}`)
}
