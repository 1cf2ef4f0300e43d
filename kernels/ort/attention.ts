/**
 * Attention of one layer as an ONNX subgraph (specs/lasa.md §Semantics), blocked:
 * the chunk's C = nb·B queries form nb blocks of B, and block b attends to Tk keys gathered from
 * [cache slots in use | the chunk's own keys] by the `keys.G` index input (nb, Tk) that cache.ts builds: the G sink
 * positions and the W − 1 + B positions of the band ending at the block's last query, each exactly once. So a
 * block costs O(B·(G + W + B)) — linear in the chunk, never quadratic — and big prefill chunks keep the MoE GEMMs
 * big. Plain Mixtral (W = ∞) runs one block over every position so far. Unused columns are masked to −∞.
 */
import type { Config } from '../config.ts'
import type { Weights } from '../weights.ts'
import type { GraphBuilder } from './onnx.ts'

/** Window group of a layer: layers with equal windows share mask/dist inputs. */
export function windowGroup(c: Config, layer: number): string {
  const w = c.window[layer]!
  return Number.isFinite(w) ? `w${w}` : 'full'
}

/**
 * qr (C, H, D) roped and pre-scaled queries, kr/vr (C, KV, D) the chunk's keys (roped) and values → (C, H·D).
 */
export function blockedAttention(g: GraphBuilder, c: Config, w: Weights, l: number, qr: string, kr: string, vr: string): string {
  const { heads: H, kvHeads: KV, headDim: D } = c
  const group = H / KV
  const grp = windowGroup(c, l)
  const T = `T_${grp}`
  const mask = `mask.${grp}` // (nb, 1, B, Tk)
  if (!g.has(mask)) g.input(mask, 'float32', ['NB', 1, 'B', T])
  const index = `keys.${grp}` // (nb, Tk) rows of [cache | chunk]
  if (!g.has(index)) g.input(index, 'int64', ['NB', T])
  const cacheK = g.input(`cache_k.${l}`, 'float32', [`S_${grp}`, KV, D])
  const cacheV = g.input(`cache_v.${l}`, 'float32', [`S_${grp}`, KV, D])
  const gather = (cache: string, chunk: string) => g.op1('Gather', [g.op1('Concat', [cache, chunk], { axis: { i: 0 } }), index], { axis: { i: 0 } })
  const keysT = g.op1('Transpose', [gather(cacheK, kr)], { perm: { ints: [0, 2, 3, 1] } }) // (nb, KV, D, Tk)
  const vals = g.op1('Transpose', [gather(cacheV, vr)], { perm: { ints: [0, 2, 1, 3] } }) // (nb, KV, Tk, D)
  // Query head h uses kv head ⌊h / group⌋ (GQA): the queries of one kv head form one (group·B, D) matrix per block.
  // (nb, B, KV, group, D), from the `blocks` input [nb, B]; one node shared by every layer.
  const blocked = g.has('shape_q_blocks')
    ? 'shape_q_blocks'
    : g.op('Concat', [g.input('blocks', 'int64', [2]), g.ints('shape_kv_g_d', [KV, group, D])], { axis: { i: 0 } }, ['shape_q_blocks'])[0]!
  const qg = g.op1('Reshape', [
    g.op1('Transpose', [g.op1('Reshape', [qr, blocked])], { perm: { ints: [0, 2, 3, 1, 4] } }),
    g.ints('shape_0_kv_m1_d', [0, KV, -1, D]),
  ]) // (nb, KV, group·B, D)
  const scores = g.op1('Reshape', [g.op1('MatMul', [qg, keysT]), g.ints('shape_0_h_m1_0', [0, H, -1, 0])]) // (nb, H, B, Tk)
  const probs = g.op1('Softmax', [g.op1('Add', [scores, bias(g, c, w, l, grp, mask)])], { axis: { i: -1 } })
  const ctx = g.op1('MatMul', [g.op1('Reshape', [probs, g.ints('shape_0_kv_m1_0', [0, KV, -1, 0])]), vals]) // (nb, KV, group·B, D)
  return g.op1('Reshape', [
    g.op1('Transpose', [g.op1('Reshape', [ctx, g.ints('shape_0_kv_g_m1_d', [0, KV, group, -1, D])])], { perm: { ints: [0, 3, 1, 2, 4] } }),
    g.ints('shape_m1_hd', [-1, H * D]),
  ]) // (C, H·D)
}

/** mask − softplus(slope)[h] · dist as (nb, H, B, T); the mask alone, (nb, 1, B, T), for plain Mixtral. */
function bias(g: GraphBuilder, c: Config, w: Weights, l: number, grp: string, mask: string): string {
  const slope = w.layers[l]!.slope
  if (!c.lasa || slope === null) return mask
  const dist = `dist.${grp}` // (nb, 1, B, T)
  if (!g.has(dist)) g.input(dist, 'float32', ['NB', 1, 'B', `T_${grp}`])
  const sp = g.op1('Softplus', [g.init(`layers.${l}.lasa_slope`, [c.heads, 1, 1], slope)]) // (H, 1, 1), folded at load
  return g.op1('Sub', [mask, g.op1('Mul', [sp, dist])])
}
