/**
 * Attention of one layer as an ONNX subgraph (specs/lasa.md §Semantics), blocked:
 * the chunk's C = nb·B queries form nb blocks of B, and block b attends to Tk keys gathered from
 * [cache slots in use | the chunk's own keys] by the `keys.G` index input (nb, Tk) that cache.ts builds: the G sink
 * positions and the W − 1 + B positions of the band ending at the block's last query, each exactly once. So a
 * block costs O(B·(G + W + B)) — linear in the chunk, never quadratic — and big prefill chunks keep the MoE GEMMs
 * big. Plain Mixtral (W = ∞) runs one block over every position so far. Unused columns get an infinite penalty.
 * The decode graph (one token per run) skips the block reshapes and transposes.
 */
import type { Config } from '../config.ts'
import type { Weights } from '../weights.ts'
import { softplus } from '../ops.ts'
import { MIN_PRIOR_WEIGHT } from './constants.ts'
import type { GraphBuilder } from './onnx.ts'

/** Window group of a layer: layers with equal windows share the keys/dist inputs. */
export function windowGroup(c: Config, layer: number): string {
  const w = c.window[layer]!
  return Number.isFinite(w) ? `w${w}` : 'full'
}

/**
 * qr (C, H, D) roped and pre-scaled queries, kr/vr (C, KV, D) the chunk's keys (roped) and values → (C, H·D).
 */
export function blockedAttention(g: GraphBuilder, c: Config, w: Weights, l: number, qr: string, kr: string, vr: string, oneToken: boolean): string {
  const { heads: H, kvHeads: KV, headDim: D } = c
  const group = H / KV
  const grp = windowGroup(c, l)
  const T = `T_${grp}`
  const dist = `dist.${grp}` // (nb, 1, B, Tk): log2(1 + i − j) for j ∈ K(i) (0 for plain Mixtral), +∞ elsewhere
  if (!g.has(dist)) g.input(dist, 'float32', ['NB', 1, 'B', T])
  const index = `keys.${grp}` // (nb, Tk) rows of [cache | chunk]
  if (!g.has(index)) g.input(index, 'int64', ['NB', T])
  const cacheK = g.input(`cache_k.${l}`, 'float32', [`S_${grp}`, KV, D])
  const cacheV = g.input(`cache_v.${l}`, 'float32', [`S_${grp}`, KV, D])
  // Keys and values KV-head-major, so the gathered blocks need no transpose: (KV, S + C, D) → (KV, nb, Tk, D).
  const gather = (cache: string, chunk: string) => {
    const source = g.op1('Transpose', [g.op1('Concat', [cache, chunk], { axis: { i: 0 } })], { perm: { ints: [1, 0, 2] } })
    return g.op1('Gather', [source, index], { axis: { i: 1 } })
  }
  const keysT = g.op1('Transpose', [gather(cacheK, kr)], { perm: { ints: [0, 1, 3, 2] } }) // (KV, nb, D, Tk), fused into the MatMul
  const vals = gather(cacheV, vr) // (KV, nb, Tk, D)
  if (oneToken) {
    // Decode graph (C = nb = B = 1): the heads of one kv head are already adjacent, no transposes needed.
    const qg = g.op1('Reshape', [qr, g.ints('shape_kv_1_g_d', [KV, 1, group, D])]) // (KV, 1, group, D)
    const scores = g.op1('MatMul', [qg, keysT]) // (KV, 1, group, Tk)
    const probs = g.op1('Softmax', [g.op1('Sub', [scores, penalty(g, c, w, l, dist, 4)])], { axis: { i: -1 } })
    return g.op1('Reshape', [g.op1('MatMul', [probs, vals]), g.ints('shape_1_hd', [1, H * D])]) // (1, H·D)
  }
  // Query head h uses kv head ⌊h / group⌋ (GQA): the queries of one kv head form one (group·B, D) matrix per block.
  // (nb, B, KV, group, D), from the `blocks` input [nb, B]; one node shared by every layer.
  const blocked = g.has('shape_q_blocks')
    ? 'shape_q_blocks'
    : g.op('Concat', [g.input('blocks', 'int64', [2]), g.ints('shape_kv_g_d', [KV, group, D])], { axis: { i: 0 } }, ['shape_q_blocks'])[0]!
  const qg = g.op1('Reshape', [
    g.op1('Transpose', [g.op1('Reshape', [qr, blocked])], { perm: { ints: [2, 0, 3, 1, 4] } }),
    g.ints('shape_0_0_m1_d', [0, 0, -1, D]),
  ]) // (KV, nb, group·B, D)
  // Tk as a tensor, for the reshapes between (KV, nb, group·B, Tk) and (KV, nb, group, B, Tk); shared per group.
  const split5 = `shape_scores5.${grp}`
  const merge4 = `shape_scores4.${grp}`
  if (!g.has(split5)) {
    const tk = g.op1('Slice', [g.op1('Shape', [index]), g.ints('one', [1]), g.ints('two', [2])]) // (1) = [Tk]
    g.op('Concat', [g.ints('shape_0_0_g_m1', [0, 0, group, -1]), tk], { axis: { i: 0 } }, [split5])
    g.op('Concat', [g.ints('shape_0_0_m1', [0, 0, -1]), tk], { axis: { i: 0 } }, [merge4])
  }
  const scores = g.op1('Reshape', [g.op1('MatMul', [qg, keysT]), split5]) // (KV, nb, group, B, Tk)
  const probs = g.op1('Softmax', [g.op1('Sub', [scores, penalty(g, c, w, l, dist, 5)])], { axis: { i: -1 } })
  const ctx = g.op1('MatMul', [g.op1('Reshape', [probs, merge4]), vals]) // (KV, nb, group·B, D)
  return g.op1('Reshape', [
    g.op1('Transpose', [g.op1('Reshape', [ctx, g.ints('shape_0_0_g_m1_d', [0, 0, group, -1, D])])], { perm: { ints: [1, 3, 0, 2, 4] } }),
    g.ints('shape_m1_hd', [-1, H * D]),
  ]) // (C, H·D)
}

/**
 * What the scores lose: softplus(slope)[h] · dist as (KV, nb, group, B, Tk) (rank 5; (KV, 1, group, Tk) for the
 * decode graph) — the LASA prior, +∞ outside K(i) — or
 * dist itself (0 or +∞: the causal mask) for plain Mixtral. One pass instead of a separate mask and prior.
 */
function penalty(g: GraphBuilder, c: Config, w: Weights, l: number, dist: string, rank: 4 | 5): string {
  const slope = w.layers[l]!.slope
  if (!c.lasa || slope === null) return dist
  const sp = Float32Array.from(slope, (s) => Math.max(softplus(s), MIN_PRIOR_WEIGHT)) // head h = kv·group + g
  const dims = rank === 5 ? [c.kvHeads, 1, c.heads / c.kvHeads, 1, 1] : [c.kvHeads, 1, c.heads / c.kvHeads, 1]
  return g.op1('Mul', [g.init(`layers.${l}.lasa_prior`, dims, sp), dist])
}
