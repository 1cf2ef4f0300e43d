/**
 * A plain Mixtral (no LASA) as GGUF for llama.cpp's "llama" architecture (specs/gguf-commitment.md §4): metadata,
 * tensor names (blk.N.*, stacked experts ffn_{gate,up,down}_exps), Q/K rows permuted from the rotate_half RoPE
 * convention to llama.cpp's interleaved one, and the byte tokenizer as a merge-free "gpt2" vocabulary whose token
 * ids are ours: id b < 256 is byte b (spelled with GPT-2's byte-to-unicode map), 256 BOS, 257 EOS, the rest unused.
 */
import type { Config } from '../config.ts'
import { BOS_ID, BYTE_TOKENS, DENSE_MAX_CONTEXT, EOS_ID } from '../constants.ts'
import { ModelError } from '../errors.ts'
import type { Weights } from '../weights.ts'
import { GGML_F16, GGML_F32, GgufType, type GgufValue } from './format.ts'
import type { GgufTensorSpec } from './writer.ts'

export type GgufDtype = 'f32' | 'f16'

export interface GgufTensorSource extends GgufTensorSpec {
  /** The tensor's bytes in the file (computed on demand, one tensor at a time). */
  data(): Uint8Array
}

/** GPT-2's byte → printable code point map (the spelling byte-level BPE vocabularies use for raw bytes). */
export function gpt2ByteChars(): string[] {
  const keep: number[] = []
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b)
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b)
  for (let b = 0xae; b <= 0xff; b++) keep.push(b)
  const out = new Array<string>(256)
  let extra = 0
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++)
  return out
}

/** Token type codes of llama.cpp (llama_token_type). */
const TOKEN_NORMAL = 1
const TOKEN_CONTROL = 3
const TOKEN_UNUSED = 5

/** tokenizer.ggml.* for the byte tokenizer with `vocab` ids (specs/gguf-commitment.md §4.2). */
export function byteTokenizerMetadata(vocab: number): [string, GgufValue][] {
  const bytes = gpt2ByteChars()
  const tokens: string[] = []
  const types: number[] = []
  for (let id = 0; id < vocab; id++) {
    if (id < BYTE_TOKENS) tokens.push(bytes[id]!)
    else if (id === BOS_ID) tokens.push('<|aip_bos|>')
    else if (id === EOS_ID) tokens.push('<|aip_eos|>')
    else tokens.push(`<|aip_unused_${id}|>`)
    types.push(id < BYTE_TOKENS ? TOKEN_NORMAL : id === BOS_ID || id === EOS_ID ? TOKEN_CONTROL : TOKEN_UNUSED)
  }
  return [
    ['tokenizer.ggml.model', { type: GgufType.STRING, value: 'gpt2' }],
    // "qwen2" only chooses the pre-split regex (irrelevant without merges: every piece becomes its bytes) and turns
    // off llama.cpp's clean_up_tokenization_spaces, which would drop the space in " ." when detokenizing.
    ['tokenizer.ggml.pre', { type: GgufType.STRING, value: 'qwen2' }],
    ['tokenizer.ggml.tokens', { type: GgufType.ARRAY, itemType: GgufType.STRING, value: tokens }],
    ['tokenizer.ggml.token_type', { type: GgufType.ARRAY, itemType: GgufType.INT32, value: types }],
    ['tokenizer.ggml.merges', { type: GgufType.ARRAY, itemType: GgufType.STRING, value: [] }],
    ['tokenizer.ggml.bos_token_id', { type: GgufType.UINT32, value: BOS_ID }],
    ['tokenizer.ggml.eos_token_id', { type: GgufType.UINT32, value: EOS_ID }],
    ['tokenizer.ggml.add_bos_token', { type: GgufType.BOOL, value: true }],
    ['tokenizer.ggml.add_eos_token', { type: GgufType.BOOL, value: false }],
  ]
}

/** f32 → IEEE binary16 bits, round to nearest even (overflow → ±Inf, NaN kept). */
export function f32ToF16(x: number): number {
  const f = new Float32Array([x])
  const u = new Uint32Array(f.buffer)[0]!
  const sign = (u >>> 16) & 0x8000
  const exp = (u >>> 23) & 0xff
  let mant = u & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0)
  let e = exp - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    const half = 1 << (shift - 1)
    let r = mant >>> shift
    const rest = mant & ((1 << shift) - 1)
    if (rest > half || (rest === half && (r & 1) === 1)) r++
    return sign | r
  }
  let r = mant >>> 13
  const rest = mant & 0x1fff
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1) === 1)) {
    r++
    if (r === 0x400) {
      r = 0
      e++
      if (e >= 0x1f) return sign | 0x7c00
    }
  }
  return sign | (e << 10) | r
}

function f32Bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

function f16Bytes(a: Float32Array): Uint8Array {
  const out = new Uint16Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = f32ToF16(a[i]!)
  return new Uint8Array(out.buffer)
}

/**
 * Rows of a (heads·headDim, dim) projection reordered for llama.cpp's interleaved RoPE: within each head, output
 * row 2i + j is input row j·headDim/2 + i (convert_hf_to_gguf.py LlamaModel.permute).
 */
export function permuteRope(w: Float32Array, heads: number, headDim: number, dim: number): Float32Array {
  const out = new Float32Array(w.length)
  const half = headDim / 2
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (h * headDim + j * half + i) * dim
        out.set(w.subarray(from, from + dim), (h * headDim + 2 * i + j) * dim)
      }
    }
  }
  return out
}

/** Metadata and tensors of a plain Mixtral model as a llama.cpp "llama" GGUF. Refuses LASA models. */
export function mixtralGguf(c: Config, w: Weights, dtype: GgufDtype, name: string): { metadata: Map<string, GgufValue>; tensors: GgufTensorSource[] } {
  if (c.lasa) throw new ModelError('unsupported_config', 'a LASA model cannot be exported to GGUF: llama.cpp has no LASA attention (local window + global tokens + distance prior); only plain Mixtral models are exported')
  const u32 = (value: number): GgufValue => ({ type: GgufType.UINT32, value })
  const f32 = (value: number): GgufValue => ({ type: GgufType.FLOAT32, value })
  const metadata = new Map<string, GgufValue>([
    ['general.architecture', { type: GgufType.STRING, value: 'llama' }],
    ['general.name', { type: GgufType.STRING, value: name }],
    ['general.file_type', u32(dtype === 'f32' ? 0 : 1)],
    ['llama.vocab_size', u32(c.vocab)],
    ['llama.context_length', u32(DENSE_MAX_CONTEXT)],
    ['llama.embedding_length', u32(c.dim)],
    ['llama.block_count', u32(c.layers)],
    ['llama.feed_forward_length', u32(c.hidden)],
    ['llama.attention.head_count', u32(c.heads)],
    ['llama.attention.head_count_kv', u32(c.kvHeads)],
    ['llama.attention.key_length', u32(c.headDim)],
    ['llama.attention.value_length', u32(c.headDim)],
    ['llama.attention.layer_norm_rms_epsilon', f32(c.eps)],
    ['llama.rope.dimension_count', u32(c.headDim)],
    ['llama.rope.freq_base', f32(c.ropeTheta)],
    ['llama.expert_count', u32(c.experts)],
    ['llama.expert_used_count', u32(c.topK)],
    ...byteTokenizerMetadata(c.vocab),
  ])
  const matrix = dtype === 'f32' ? f32Bytes : f16Bytes
  const mtype = dtype === 'f32' ? GGML_F32 : GGML_F16
  const tensors: GgufTensorSource[] = []
  // Vectors and the router stay f32 (as convert_hf_to_gguf.py keeps them); ne is the reversed row-major shape.
  const add = (n: string, shape: number[], data: () => Float32Array, keepF32 = false): void => {
    tensors.push({ name: n, type: keepF32 ? GGML_F32 : mtype, ne: [...shape].reverse(), data: () => (keepF32 ? f32Bytes : matrix)(data()) })
  }
  add('token_embd.weight', [c.vocab, c.dim], () => w.embed)
  for (let l = 0; l < c.layers; l++) {
    const L = w.layers[l]!
    const p = `blk.${l}.`
    add(p + 'attn_norm.weight', [c.dim], () => L.attnNorm, true)
    add(p + 'attn_q.weight', [c.heads * c.headDim, c.dim], () => permuteRope(L.wq, c.heads, c.headDim, c.dim))
    add(p + 'attn_k.weight', [c.kvHeads * c.headDim, c.dim], () => permuteRope(L.wk, c.kvHeads, c.headDim, c.dim))
    add(p + 'attn_v.weight', [c.kvHeads * c.headDim, c.dim], () => L.wv)
    add(p + 'attn_output.weight', [c.dim, c.heads * c.headDim], () => L.wo)
    add(p + 'ffn_norm.weight', [c.dim], () => L.ffnNorm, true)
    add(p + 'ffn_gate_inp.weight', [c.experts, c.dim], () => L.gate, true)
    add(p + 'ffn_gate_exps.weight', [c.experts, c.hidden, c.dim], () => L.w1)
    add(p + 'ffn_down_exps.weight', [c.experts, c.dim, c.hidden], () => L.w2)
    add(p + 'ffn_up_exps.weight', [c.experts, c.hidden, c.dim], () => L.w3)
  }
  add('output_norm.weight', [c.dim], () => w.norm, true)
  if (!c.tied) add('output.weight', [c.vocab, c.dim], () => w.lmHead)
  return { metadata, tensors }
}
