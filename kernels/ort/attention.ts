/**
 * Attention of one layer as an ONNX subgraph, banded (specs/lasa.md §Semantics; layout chosen by cache.ts):
 * the chunk's C = nb·B queries are cut into nb blocks of B, and block b attends to
 *
 *   [ S cache slots | G' chunk sinks (first min(G, C) chunk rows) | block b − 1 (zeros for b = 0) | block b ]
 *
 * i.e. T = S + G' + 2B keys. With B ≥ W − 1 every key of K(i) is in that list (cache.ts proves it per column: the
 * mask input admits each position of K(i) exactly once and −∞ everywhere else), so attention costs O(C·(S + G + B))
 * — linear in the chunk, not quadratic — and big prefill chunks keep the MoE GEMMs large. nb = 1 is plain chunked
 * attention (decode, short chunks, plain Mixtral). nb comes from the mask input's shape, so one graph serves all.
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
export function bandedAttention(g: GraphBuilder, c: Config, w: Weights, l: number, qr: string, kr: string, vr: string): string {
  const { heads: H, kvHeads: KV, headDim: D } = c
  const group = H / KV
  const grp = windowGroup(c, l)
  const T = `T_${grp}`
  const mask = `mask.${grp}` // (nb, 1, B, T)
  if (!g.has(mask)) g.input(mask, 'float32', ['NB', 1, 'B', T])
  const nb = g.op1('Slice', [g.op1('Shape', [mask]), g.ints('zero', [0]), g.ints('one', [1])]) // (1) = [nb]
  const blocked = (shape: number[]) => g.op1('Concat', [nb, g.ints(`shape_m1_${shape.join('_')}`, [-1, ...shape])], { axis: { i: 0 } })

  const cacheK = g.input(`cache_k.${l}`, 'float32', [`S_${grp}`, KV, D])
  const cacheV = g.input(`cache_v.${l}`, 'float32', [`S_${grp}`, KV, D])
  const keyList = (cache: string, chunk: string): string => {
    // Every block sees the whole cache and the chunk's first G rows (sinks when the chunk starts before G).
    const perBlock = (t: string) => g.op1('Expand', [g.op1('Unsqueeze', [t, g.ints('zero', [0])]), g.op1('Concat', [nb, g.op1('Shape', [t])], { axis: { i: 0 } })])
    const parts = [perBlock(cache)]
    if (c.globals > 0) parts.push(perBlock(g.op1('Slice', [chunk, g.ints('zero', [0]), g.ints('globals', [c.globals])])))
    const cur = g.op1('Reshape', [chunk, blocked([KV, D])]) // (nb, B, KV, D)
    const shifted = g.op1('Pad', [cur, g.ints('pad_first_block', [1, 0, 0, 0, 0, 0, 0, 0])]) // (nb + 1, B, KV, D)
    const prev = g.op1('Slice', [shifted, g.ints('zero', [0]), g.ints('minus_one', [-1])]) // block b − 1
    return g.op1('Concat', [...parts, prev, cur], { axis: { i: 1 } }) // (nb, T, KV, D)
  }
  const keysT = g.op1('Transpose', [keyList(cacheK, kr)], { perm: { ints: [0, 2, 3, 1] } }) // (nb, KV, D, T)
  const vals = g.op1('Transpose', [keyList(cacheV, vr)], { perm: { ints: [0, 2, 1, 3] } }) // (nb, KV, T, D)
  // Query head h uses kv head ⌊h / group⌋ (GQA): the queries of one kv head form one (group·B, D) matrix per block.
  const qg = g.op1('Reshape', [
    g.op1('Transpose', [g.op1('Reshape', [qr, blocked([KV, group, D])])], { perm: { ints: [0, 2, 3, 1, 4] } }),
    g.ints('shape_0_kv_m1_d', [0, KV, -1, D]),
  ]) // (nb, KV, group·B, D)
  const scores = g.op1('Reshape', [g.op1('MatMul', [qg, keysT]), g.ints('shape_0_h_m1_0', [0, H, -1, 0])]) // (nb, H, B, T)
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
