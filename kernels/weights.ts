/**
 * Weights: every tensor of a model as f32, row-major, stacked per layer; shapes (out, in) like nn.Linear.
 * expectedTensors() is the single list of tensor names and shapes a Config implies (specs/lasa.md §Tensors).
 */
import type { Config } from './config.ts'

export interface LayerWeights {
  attnNorm: Float32Array // (dim)
  wq: Float32Array // (heads * headDim, dim)
  wk: Float32Array // (kvHeads * headDim, dim)
  wv: Float32Array // (kvHeads * headDim, dim)
  wo: Float32Array // (dim, heads * headDim)
  slope: Float32Array | null // (heads) lasa_slope; null for plain Mixtral
  ffnNorm: Float32Array // (dim)
  gate: Float32Array // (experts, dim) router
  w1: Float32Array // (experts, hidden, dim)  stacked experts.E.w1
  w3: Float32Array // (experts, hidden, dim)  stacked experts.E.w3
  w2: Float32Array // (experts, dim, hidden)  stacked experts.E.w2
}

export interface Weights {
  embed: Float32Array // (vocab, dim)
  layers: LayerWeights[]
  norm: Float32Array // (dim)
  lmHead: Float32Array // (vocab, dim); the same array as embed when tied
}

/** Where one safetensors tensor goes: a whole field, or expert `expert` of a stacked field. */
export interface TensorSlot {
  name: string
  shape: number[]
  layer: number // -1 for model-level tensors
  field: keyof LayerWeights | 'embed' | 'norm' | 'lmHead'
  expert: number // -1 when not an expert slice
}

/** Every tensor the config requires, in file order (model, then layer by layer), lazily: a loader stops at the
 * first missing one, so a hostile config with huge sizes costs nothing before it is refused. */
export function* tensorSlots(c: Config): Generator<TensorSlot> {
  yield { name: 'model.embed_tokens.weight', shape: [c.vocab, c.dim], layer: -1, field: 'embed', expert: -1 }
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}.`
    const at = (name: string, shape: number[], field: TensorSlot['field'], expert = -1): TensorSlot => ({ name: p + name, shape, layer: l, field, expert })
    yield at('input_layernorm.weight', [c.dim], 'attnNorm')
    yield at('self_attn.q_proj.weight', [c.heads * c.headDim, c.dim], 'wq')
    yield at('self_attn.k_proj.weight', [c.kvHeads * c.headDim, c.dim], 'wk')
    yield at('self_attn.v_proj.weight', [c.kvHeads * c.headDim, c.dim], 'wv')
    yield at('self_attn.o_proj.weight', [c.dim, c.heads * c.headDim], 'wo')
    if (c.lasa) yield at('self_attn.lasa_slope', [c.heads], 'slope')
    yield at('post_attention_layernorm.weight', [c.dim], 'ffnNorm')
    yield at('block_sparse_moe.gate.weight', [c.experts, c.dim], 'gate')
    for (let e = 0; e < c.experts; e++) {
      yield at(`block_sparse_moe.experts.${e}.w1.weight`, [c.hidden, c.dim], 'w1', e)
      yield at(`block_sparse_moe.experts.${e}.w2.weight`, [c.dim, c.hidden], 'w2', e)
      yield at(`block_sparse_moe.experts.${e}.w3.weight`, [c.hidden, c.dim], 'w3', e)
    }
  }
  yield { name: 'model.norm.weight', shape: [c.dim], layer: -1, field: 'norm', expert: -1 }
  if (!c.tied) yield { name: 'lm_head.weight', shape: [c.vocab, c.dim], layer: -1, field: 'lmHead', expert: -1 }
}

/** tensorSlots as an array. */
export function expectedTensors(c: Config): TensorSlot[] {
  return [...tensorSlots(c)]
}

/** Allocates zeroed weights of the right shapes (the loader and the generator fill them). */
export function allocateWeights(c: Config): Weights {
  const q = c.heads * c.headDim
  const kv = c.kvHeads * c.headDim
  const embed = new Float32Array(c.vocab * c.dim)
  const layers: LayerWeights[] = []
  for (let l = 0; l < c.layers; l++) {
    layers.push({
      attnNorm: new Float32Array(c.dim),
      wq: new Float32Array(q * c.dim),
      wk: new Float32Array(kv * c.dim),
      wv: new Float32Array(kv * c.dim),
      wo: new Float32Array(c.dim * q),
      slope: c.lasa ? new Float32Array(c.heads) : null,
      ffnNorm: new Float32Array(c.dim),
      gate: new Float32Array(c.experts * c.dim),
      w1: new Float32Array(c.experts * c.hidden * c.dim),
      w3: new Float32Array(c.experts * c.hidden * c.dim),
      w2: new Float32Array(c.experts * c.dim * c.hidden),
    })
  }
  return { embed, layers, norm: new Float32Array(c.dim), lmHead: c.tied ? embed : new Float32Array(c.vocab * c.dim) }
}

/** The f32 array (or expert slice of a stacked array) a slot designates. */
export function slotView(w: Weights, s: TensorSlot): Float32Array {
  const whole = s.layer < 0 ? w[s.field as 'embed' | 'norm' | 'lmHead'] : w.layers[s.layer]![s.field as keyof LayerWeights]
  if (whole === null) throw new Error(`no storage for ${s.name}`)
  if (s.expert < 0) return whole
  const n = s.shape[0]! * s.shape[1]!
  return whole.subarray(s.expert * n, (s.expert + 1) * n)
}

/** Total parameter count of a config, and the count active per token (all but the non-selected experts). */
export function paramCounts(c: Config): { total: number; active: number } {
  let total = 0
  for (const t of tensorSlots(c)) total += t.shape.reduce((a, b) => a * b, 1)
  const perExpert = 3 * c.hidden * c.dim
  return { total, active: total - c.layers * (c.experts - c.topK) * perExpert }
}
