/**
 * The TypeScript reference backend: the whole forward pass of specs/lasa.md §Semantics on f32 weights.
 * Prefill works in chunks of PREFILL_CHUNK tokens (matmuls over the chunk, attention token by token over the
 * bounded cache), so memory is bounded whatever the prompt length.
 */
import { attend, attentionParams, KvCache, type AttentionParams } from './attention.ts'
import type { Backend, BackendState } from './backend.ts'
import type { Config } from './config.ts'
import { DENSE_MAX_CONTEXT } from './constants.ts'
import { ModelError } from './errors.ts'
import { matmulT } from './matmul.ts'
import { moe } from './moe.ts'
import { rmsnorm, rope, ropeAngles } from './ops.ts'
import { checkTokens } from './tokenizer.ts'

export { checkTokens } // kernels/ort/backend.ts imports it from here
import type { Weights } from './weights.ts'

/** Tokens per prefill chunk: bounds the activations held at once (specs/lasa.md §Constants). */
export const PREFILL_CHUNK = 256

interface TsState extends BackendState {
  caches: KvCache[]
}

export class TsBackend implements Backend {
  readonly name = 'ts' as const
  position = 0
  caches: KvCache[]
  private readonly attn: AttentionParams[]

  constructor(
    readonly config: Config,
    readonly weights: Weights,
  ) {
    this.caches = this.freshCaches()
    this.attn = weights.layers.map((l) => attentionParams(config.heads, config.kvHeads, config.headDim, l.slope))
  }

  private freshCaches(): KvCache[] {
    const c = this.config
    return c.window.map((w) => new KvCache(c.kvHeads * c.headDim, w, c.globals))
  }

  /** Bytes allocated by all layers' KV caches. */
  get cacheBytes(): number {
    return this.caches.reduce((s, c) => s + c.bytes, 0)
  }

  async prefill(tokens: readonly number[], all: boolean): Promise<Float32Array[]> {
    return this.forward(tokens, all)
  }

  async step(token: number): Promise<Float32Array> {
    return this.forward([token], false)[0]!
  }

  /** Synchronous forward pass (what prefill/step resolve to). */
  forward(tokens: readonly number[], all: boolean): Float32Array[] {
    if (tokens.length === 0) throw new RangeError('prefill needs at least one token')
    checkTokens(tokens, this.config.vocab)
    if (this.config.window.some((w) => !Number.isFinite(w)) && this.position + tokens.length > DENSE_MAX_CONTEXT) {
      throw new ModelError('context_too_long', `context of ${this.position + tokens.length} tokens exceeds DENSE_MAX_CONTEXT (${DENSE_MAX_CONTEXT}) for a model without lasa_window`)
    }
    const rows: Float32Array[] = []
    for (let s = 0; s < tokens.length; s += PREFILL_CHUNK) {
      const chunk = tokens.slice(s, s + PREFILL_CHUNK)
      const last = s + PREFILL_CHUNK >= tokens.length
      rows.push(...this.chunk(chunk, all ? 'all' : last ? 'last' : 'none'))
    }
    return rows
  }

  private chunk(tokens: readonly number[], want: 'all' | 'last' | 'none'): Float32Array[] {
    const c = this.config
    const w = this.weights
    const t = tokens.length
    const qDim = c.heads * c.headDim
    const kvDim = c.kvHeads * c.headDim
    const x = new Float32Array(t * c.dim) // (t, dim) residual stream
    for (let i = 0; i < t; i++) x.set(w.embed.subarray(tokens[i]! * c.dim, (tokens[i]! + 1) * c.dim), i * c.dim)
    const h = new Float32Array(t * c.dim) // (t, dim)
    const q = new Float32Array(t * qDim) // (t, heads * headDim)
    const k = new Float32Array(t * kvDim) // (t, kvHeads * headDim)
    const v = new Float32Array(t * kvDim) // (t, kvHeads * headDim)
    const att = new Float32Array(t * qDim) // (t, heads * headDim)
    const o = new Float32Array(t * c.dim) // (t, dim)
    const half = c.headDim / 2
    const cos = new Float32Array(t * half) // (t, headDim / 2)
    const sin = new Float32Array(t * half)
    for (let i = 0; i < t; i++) ropeAngles(cos.subarray(i * half), sin.subarray(i * half), this.position + i, c.headDim, c.ropeTheta)
    const maxKeys = Math.max(...c.window.map((win) => Math.min(win, this.position + t))) + c.globals
    const scores = new Float64Array(maxKeys)

    for (let l = 0; l < c.layers; l++) {
      const lw = w.layers[l]!
      const cache = this.caches[l]!
      for (let i = 0; i < t; i++) rmsnorm(h, i * c.dim, x, i * c.dim, lw.attnNorm, c.dim, c.eps)
      matmulT(q, h, lw.wq, t, qDim, c.dim)
      matmulT(k, h, lw.wk, t, kvDim, c.dim)
      matmulT(v, h, lw.wv, t, kvDim, c.dim)
      for (let i = 0; i < t; i++) {
        const ci = cos.subarray(i * half, (i + 1) * half)
        const si = sin.subarray(i * half, (i + 1) * half)
        rope(q, i * qDim, c.heads, c.headDim, ci, si)
        rope(k, i * kvDim, c.kvHeads, c.headDim, ci, si)
        cache.put(this.position + i, k, i * kvDim, v, i * kvDim)
        attend(att, i * qDim, q, i * qDim, this.position + i, cache, this.attn[l]!, scores)
      }
      matmulT(o, att, lw.wo, t, c.dim, qDim)
      for (let r = 0; r < t * c.dim; r++) x[r]! += o[r]!
      for (let i = 0; i < t; i++) rmsnorm(h, i * c.dim, x, i * c.dim, lw.ffnNorm, c.dim, c.eps)
      moe(o, h, t, c, lw)
      for (let r = 0; r < t * c.dim; r++) x[r]! += o[r]!
    }
    this.position += t
    if (want === 'none') return []
    const first = want === 'all' ? 0 : t - 1
    const n = t - first
    for (let i = 0; i < n; i++) rmsnorm(h, i * c.dim, x, (first + i) * c.dim, w.norm, c.dim, c.eps)
    const logits = new Float32Array(n * c.vocab) // (n, vocab)
    matmulT(logits, h, w.lmHead, n, c.vocab, c.dim)
    return Array.from({ length: n }, (_, i) => logits.subarray(i * c.vocab, (i + 1) * c.vocab))
  }

  snapshot(): TsState {
    return { position: this.position, caches: this.caches.map((c) => c.clone()) }
  }

  restore(state: BackendState): void {
    const s = state as TsState
    if (!Array.isArray(s.caches) || s.caches.length !== this.config.layers) throw new TypeError('not a TsBackend state')
    this.position = s.position
    this.caches = s.caches.map((c) => c.clone())
  }

  reset(): void {
    this.position = 0
    this.caches = this.freshCaches()
  }

  async dispose(): Promise<void> {}
}
