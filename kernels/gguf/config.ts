/**
 * What a GGUF header says about the model, in the engine's Config shape (specs/gguf-commitment.md §5): sizes from
 * `{arch}.*` metadata, the vocabulary from tokenizer.ggml.tokens. Fields a dense model lacks are 0 (experts, topK);
 * attention is full causal (llama.cpp's own KV cache), never LASA.
 */
import type { Config } from '../config.ts'
import { ModelError } from '../errors.ts'
import type { GgufHeader } from './reader.ts'

function num(h: GgufHeader, key: string, fallback?: number): number {
  const v = h.metadata.get(key)?.value
  if (v === undefined && fallback !== undefined) return fallback
  if (typeof v === 'number') return v
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v)
  throw new ModelError('bad_config', `GGUF: metadata '${key}' is ${v === undefined ? 'missing' : 'not a number'}`)
}

/** The architecture name (general.architecture). */
export function ggufArchitecture(h: GgufHeader): string {
  const a = h.metadata.get('general.architecture')?.value
  if (typeof a !== 'string') throw new ModelError('bad_config', "GGUF: metadata 'general.architecture' is missing")
  return a
}

export function ggufConfig(h: GgufHeader): Config {
  const arch = ggufArchitecture(h)
  const tokens = h.metadata.get('tokenizer.ggml.tokens')?.value
  const vocab = Array.isArray(tokens) ? tokens.length : num(h, `${arch}.vocab_size`)
  const dim = num(h, `${arch}.embedding_length`)
  const heads = num(h, `${arch}.attention.head_count`, 1)
  const layers = num(h, `${arch}.block_count`)
  const headCountKv = h.metadata.get(`${arch}.attention.head_count_kv`)?.value
  return {
    vocab, dim, layers, heads,
    hidden: num(h, `${arch}.feed_forward_length`, 0),
    kvHeads: typeof headCountKv === 'number' ? headCountKv : heads,
    headDim: num(h, `${arch}.attention.key_length`, Math.floor(dim / Math.max(1, heads))),
    experts: num(h, `${arch}.expert_count`, 0),
    topK: num(h, `${arch}.expert_used_count`, 0),
    eps: num(h, `${arch}.attention.layer_norm_rms_epsilon`, 1e-5),
    ropeTheta: num(h, `${arch}.rope.freq_base`, 10_000),
    tied: !h.tensors.some((t) => t.name === 'output.weight'),
    lasa: false,
    window: new Array<number>(layers).fill(Infinity),
    globals: 0,
  }
}
