/**
 * Training parameters: the model's tensors in binary64 (specs/lasa.md §12), the same layout as kernels/weights.ts
 * (stacked experts, shapes (out, in)). Gradients and AdamW moments use the same type. Saved weights are the f32
 * rounding of the binary64 values.
 */
import type { Config } from '../config.ts'
import { allocateWeights, type Weights } from '../weights.ts'

export interface LayerParams {
  attnNorm: Float64Array // (dim)
  wq: Float64Array // (heads * headDim, dim)
  wk: Float64Array // (kvHeads * headDim, dim)
  wv: Float64Array // (kvHeads * headDim, dim)
  wo: Float64Array // (dim, heads * headDim)
  slope: Float64Array | null // (heads); null for plain Mixtral
  ffnNorm: Float64Array // (dim)
  gate: Float64Array // (experts, dim)
  w1: Float64Array // (experts, hidden, dim)
  w3: Float64Array // (experts, hidden, dim)
  w2: Float64Array // (experts, dim, hidden)
}

export interface Params {
  embed: Float64Array // (vocab, dim)
  layers: LayerParams[]
  norm: Float64Array // (dim)
  lmHead: Float64Array // (vocab, dim); the same array as embed when tied
}

/** One named tensor of a Params (spec names; the experts of a layer as one stacked tensor). */
export interface NamedTensor {
  name: string
  data: Float64Array
  decay: boolean // AdamW weight decay applies (matrices; not norms or slopes)
}

const LAYER_FIELDS = ['attnNorm', 'wq', 'wk', 'wv', 'wo', 'slope', 'ffnNorm', 'gate', 'w1', 'w3', 'w2'] as const
const LAYER_NAMES: Record<(typeof LAYER_FIELDS)[number], string> = {
  attnNorm: 'input_layernorm.weight', wq: 'self_attn.q_proj.weight', wk: 'self_attn.k_proj.weight', wv: 'self_attn.v_proj.weight',
  wo: 'self_attn.o_proj.weight', slope: 'self_attn.lasa_slope', ffnNorm: 'post_attention_layernorm.weight',
  gate: 'block_sparse_moe.gate.weight', w1: 'block_sparse_moe.experts.w1', w3: 'block_sparse_moe.experts.w3', w2: 'block_sparse_moe.experts.w2',
}
const NO_DECAY = new Set(['attnNorm', 'ffnNorm', 'slope'])

/**
 * Every tensor in a fixed order (embed, then layer by layer in LAYER_FIELDS order, norm, lmHead unless tied). This
 * order is the summation order of the global gradient norm and the update order of AdamW.
 */
export function namedTensors(p: Params): NamedTensor[] {
  const out: NamedTensor[] = [{ name: 'model.embed_tokens.weight', data: p.embed, decay: true }]
  p.layers.forEach((l, i) => {
    for (const f of LAYER_FIELDS) {
      const data = l[f]
      if (data !== null) out.push({ name: `model.layers.${i}.${LAYER_NAMES[f]}`, data, decay: !NO_DECAY.has(f) })
    }
  })
  out.push({ name: 'model.norm.weight', data: p.norm, decay: false })
  if (p.lmHead !== p.embed) out.push({ name: 'lm_head.weight', data: p.lmHead, decay: true })
  return out
}

/** Zeroed parameters of the config's shapes (lmHead aliases embed when tied). */
export function zeroParams(c: Config): Params {
  return fromWeights(allocateWeights(c))
}

/** binary64 copy of f32 weights (exact). */
export function fromWeights(w: Weights): Params {
  const f = (a: Float32Array) => Float64Array.from(a)
  const embed = f(w.embed)
  return {
    embed,
    layers: w.layers.map((l) => ({
      attnNorm: f(l.attnNorm), wq: f(l.wq), wk: f(l.wk), wv: f(l.wv), wo: f(l.wo), slope: l.slope === null ? null : f(l.slope),
      ffnNorm: f(l.ffnNorm), gate: f(l.gate), w1: f(l.w1), w3: f(l.w3), w2: f(l.w2),
    })),
    norm: f(w.norm),
    lmHead: w.lmHead === w.embed ? embed : f(w.lmHead),
  }
}

/** f32 weights rounded from the parameters (round to nearest even, as Float32Array stores). */
export function toWeights(p: Params): Weights {
  const f = (a: Float64Array) => Float32Array.from(a)
  const embed = f(p.embed)
  return {
    embed,
    layers: p.layers.map((l) => ({
      attnNorm: f(l.attnNorm), wq: f(l.wq), wk: f(l.wk), wv: f(l.wv), wo: f(l.wo), slope: l.slope === null ? null : f(l.slope),
      ffnNorm: f(l.ffnNorm), gate: f(l.gate), w1: f(l.w1), w3: f(l.w3), w2: f(l.w2),
    })),
    norm: f(p.norm),
    lmHead: p.lmHead === p.embed ? embed : f(p.lmHead),
  }
}

/** Zeroed tensors shaped like `p` (for gradients and moments), with the same aliasing. */
export function zerosLike(p: Params): Params {
  return mapParams(p, (a) => new Float64Array(a.length))
}

/** Copies of `p` in SharedArrayBuffers (a worker pool reads them; kernels/train/pool.ts). */
export function sharedCopy(p: Params): Params {
  return mapParams(p, (a) => {
    const s = new Float64Array(new SharedArrayBuffer(a.byteLength))
    s.set(a)
    return s
  })
}

/** A Params whose every array is z(array of p), keeping lmHead tied to embed when it is. */
export function mapParams(p: Params, z: (a: Float64Array) => Float64Array): Params {
  const embed = z(p.embed)
  return {
    embed,
    layers: p.layers.map((l) => ({
      attnNorm: z(l.attnNorm), wq: z(l.wq), wk: z(l.wk), wv: z(l.wv), wo: z(l.wo), slope: l.slope === null ? null : z(l.slope),
      ffnNorm: z(l.ffnNorm), gate: z(l.gate), w1: z(l.w1), w3: z(l.w3), w2: z(l.w2),
    })),
    norm: z(p.norm),
    lmHead: p.lmHead === p.embed ? embed : z(p.lmHead),
  }
}
