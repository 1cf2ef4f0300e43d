/**
 * Config: the architecture of a Mixtral-style model (+ LASA keys), parsed from its config.json.
 * specs/lasa.md §Config keys is normative; unknown features are refused, never silently ignored.
 */
import { MAX_CONFIG_DIMENSION, MAX_CONFIG_LAYERS } from './constants.ts'
import { ModelError } from './errors.ts'

export interface Config {
  vocab: number // vocab_size
  dim: number // hidden_size
  hidden: number // intermediate_size (per expert)
  layers: number // num_hidden_layers
  heads: number // num_attention_heads
  kvHeads: number // num_key_value_heads (GQA)
  headDim: number // head_dim ?? hidden_size / num_attention_heads
  experts: number // num_local_experts
  topK: number // num_experts_per_tok
  eps: number // rms_norm_eps
  ropeTheta: number // rope_theta
  tied: boolean // tie_word_embeddings
  lasa: boolean // true when lasa_window is present
  window: number[] // per layer W (Infinity for plain Mixtral: full causal attention)
  globals: number // G (0 for plain Mixtral)
}

/** model_type values we run (specs/lasa.md §Config keys). Absent model_type is accepted. */
export const MODEL_TYPES: readonly string[] = ['mixtral', 'aip_lasa_moe']


function fail(message: string): never {
  throw new ModelError('bad_config', `config.json: ${message}`)
}

function int(o: Record<string, unknown>, key: string, fallback?: number, min = 1): number {
  const v = o[key] ?? fallback
  if (v === undefined) fail(`missing required key '${key}'`)
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_CONFIG_DIMENSION) {
    fail(`'${key}' must be an integer in [${min}, ${MAX_CONFIG_DIMENSION}], got ${JSON.stringify(v)}`)
  }
  return v
}

function positive(o: Record<string, unknown>, key: string, fallback: number): number {
  const v = o[key] ?? fallback
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`'${key}' must be a positive number, got ${JSON.stringify(v)}`)
  return v
}

/** Parses a Mixtral-style config object (already JSON-decoded). Throws ModelError with a clear message. */
export function parseConfig(json: unknown): Config {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('must be a JSON object')
  const o = json as Record<string, unknown>

  const modelType = o.model_type
  if (modelType !== undefined && (typeof modelType !== 'string' || !MODEL_TYPES.includes(modelType))) {
    throw new ModelError('unsupported_config', `config.json: model_type ${JSON.stringify(modelType)} is not one of ${MODEL_TYPES.join(', ')}`)
  }
  // Refused rather than mis-run (issue 3 §Model format).
  if (o.sliding_window !== undefined && o.sliding_window !== null) {
    throw new ModelError('unsupported_config', `config.json: sliding_window=${JSON.stringify(o.sliding_window)} is not supported (use lasa_window)`)
  }
  if (o.rope_scaling !== undefined && o.rope_scaling !== null) {
    throw new ModelError('unsupported_config', 'config.json: rope_scaling is not supported')
  }
  if (o.hidden_act !== undefined && o.hidden_act !== 'silu') {
    throw new ModelError('unsupported_config', `config.json: hidden_act ${JSON.stringify(o.hidden_act)} is not supported (only silu)`)
  }
  for (const key of ['attention_bias', 'mlp_bias']) {
    if (o[key] === true) throw new ModelError('unsupported_config', `config.json: ${key}=true is not supported`)
  }

  const vocab = int(o, 'vocab_size')
  const dim = int(o, 'hidden_size')
  const hidden = int(o, 'intermediate_size')
  const layers = int(o, 'num_hidden_layers')
  if (layers > MAX_CONFIG_LAYERS) fail(`'num_hidden_layers' must be at most ${MAX_CONFIG_LAYERS}, got ${layers}`)
  const heads = int(o, 'num_attention_heads')
  const kvHeads = int(o, 'num_key_value_heads', heads)
  if (heads % kvHeads !== 0) fail(`num_attention_heads (${heads}) must be a multiple of num_key_value_heads (${kvHeads})`)
  if (o.head_dim === undefined && dim % heads !== 0) fail(`hidden_size (${dim}) must be divisible by num_attention_heads (${heads}) when head_dim is absent`)
  const headDim = int(o, 'head_dim', dim / heads)
  if (headDim % 2 !== 0) fail(`head_dim (${headDim}) must be even for RoPE`)
  const experts = int(o, 'num_local_experts')
  const topK = int(o, 'num_experts_per_tok')
  if (topK > experts) fail(`num_experts_per_tok (${topK}) exceeds num_local_experts (${experts})`)
  const eps = positive(o, 'rms_norm_eps', 1e-5)
  const ropeTheta = positive(o, 'rope_theta', 1e6)
  const tiedRaw = o.tie_word_embeddings ?? false
  if (typeof tiedRaw !== 'boolean') fail(`'tie_word_embeddings' must be a boolean`)

  const lasa = o.lasa_window !== undefined && o.lasa_window !== null
  let window: number[]
  let globals = 0
  if (lasa) {
    const w = o.lasa_window
    if (typeof w === 'number') {
      window = new Array<number>(layers).fill(int(o, 'lasa_window'))
    } else if (Array.isArray(w)) {
      if (w.length !== layers) fail(`'lasa_window' has ${w.length} entries but num_hidden_layers is ${layers}`)
      window = w.map((_, i) => int(w as unknown as Record<string, unknown>, String(i)))
    } else {
      fail(`'lasa_window' must be an integer or an array of one integer per layer`)
    }
    globals = int(o, 'lasa_global_tokens', 0, 0)
  } else {
    if (o.lasa_global_tokens !== undefined) fail(`'lasa_global_tokens' given without 'lasa_window'`)
    window = new Array<number>(layers).fill(Infinity)
  }
  return { vocab, dim, hidden, layers, heads, kvHeads, headDim, experts, topK, eps, ropeTheta, tied: tiedRaw, lasa, window, globals }
}
