/**
 * LASA attention over a bounded KV cache (specs/lasa.md §Attention, §KV cache).
 * Query at absolute position i sees K(i) = { j ≤ i : j < G or i − j < W } and scores
 *   score(i, j) = q_i·k_j / √headDim − softplus(slope[h]) · log2(1 + i − j)
 * with a softmax over K(i) only. Keys are cached after RoPE. The cache holds G sink slots plus a ring of W slots,
 * allocated once: its size never depends on the context length. W = Infinity (plain Mixtral) grows by doubling.
 */
import { softplus } from './ops.ts'

/** Initial capacity (positions) of an unbounded cache (plain Mixtral, W = Infinity). */
const UNBOUNDED_INITIAL_CAPACITY = 256

/** One layer's keys and values: (slots, kvHeads * headDim) each. */
export class KvCache {
  k: Float32Array
  v: Float32Array
  private capacity: number

  constructor(
    readonly kvDim: number,
    readonly window: number, // W (Infinity for full causal attention)
    readonly globals: number, // G
  ) {
    this.capacity = Number.isFinite(window) ? globals + window : UNBOUNDED_INITIAL_CAPACITY
    this.k = new Float32Array(this.capacity * kvDim)
    this.v = new Float32Array(this.capacity * kvDim)
  }

  /** Slot of absolute position j: sinks first, then the ring (specs/lasa.md §KV cache). */
  slot(j: number): number {
    if (j < this.globals) return j
    return Number.isFinite(this.window) ? this.globals + ((j - this.globals) % this.window) : j
  }

  /** Stores position j's key and value rows (kvDim each, taken from k[ki..], v[vi..]). */
  put(j: number, k: Float32Array, ki: number, v: Float32Array, vi: number): void {
    const s = this.slot(j)
    if (s >= this.capacity) this.grow(s + 1)
    this.k.set(k.subarray(ki, ki + this.kvDim), s * this.kvDim)
    this.v.set(v.subarray(vi, vi + this.kvDim), s * this.kvDim)
  }

  private grow(needed: number): void {
    let cap = this.capacity
    while (cap < needed) cap *= 2
    const k = new Float32Array(cap * this.kvDim)
    const v = new Float32Array(cap * this.kvDim)
    k.set(this.k)
    v.set(this.v)
    this.k = k
    this.v = v
    this.capacity = cap
  }

  /** Bytes really allocated for keys and values. */
  get bytes(): number {
    return this.k.byteLength + this.v.byteLength
  }

  clone(): KvCache {
    const c = Object.create(KvCache.prototype) as KvCache
    Object.assign(c, this, { k: this.k.slice(), v: this.v.slice() })
    return c
  }
}

/** The positions of K(i), in increasing order: sinks [0, min(G, i+1)), then [max(G, i − W + 1), i]. */
export function keyRange(i: number, window: number, globals: number): { sinkEnd: number; localStart: number } {
  return { sinkEnd: Math.min(globals, i + 1), localStart: Math.max(globals, i - window + 1) }
}

/** Per-layer attention constants: the scale and each head's softplus(slope) (0 without LASA). */
export interface AttentionParams {
  heads: number
  kvHeads: number
  headDim: number
  penalty: Float64Array // (heads) softplus(lasa_slope)
}

export function attentionParams(heads: number, kvHeads: number, headDim: number, slope: Float32Array | null): AttentionParams {
  const penalty = new Float64Array(heads)
  if (slope !== null) for (let h = 0; h < heads; h++) penalty[h] = softplus(slope[h]!)
  return { heads, kvHeads, headDim, penalty }
}

/**
 * out[o .. o + heads·headDim) = attention of query q[qi ..] (heads · headDim, after RoPE) at absolute position i,
 * over the keys already in `cache` (position i itself must have been put). `scores` is scratch of ≥ G + W (or i + 1).
 */
export function attend(out: Float32Array, o: number, q: Float32Array, qi: number, i: number, cache: KvCache, p: AttentionParams, scores: Float64Array): void {
  const { heads, kvHeads, headDim, penalty } = p
  const group = heads / kvHeads // GQA: query head h reads kv head ⌊h / group⌋
  const scale = 1 / Math.sqrt(headDim)
  const { sinkEnd, localStart } = keyRange(i, cache.window, cache.globals)
  const n = sinkEnd + Math.max(0, i + 1 - localStart) // no local keys yet while i < G - 1
  const kvDim = cache.kvDim
  const K = cache.k
  const V = cache.v
  const acc = new Float64Array(headDim)
  for (let h = 0; h < heads; h++) {
    const qb = qi + h * headDim
    const kvOff = Math.floor(h / group) * headDim
    const pen = penalty[h]!
    let max = -Infinity
    for (let r = 0; r < n; r++) {
      const j = r < sinkEnd ? r : localStart + (r - sinkEnd)
      const kb = cache.slot(j) * kvDim + kvOff
      let s = 0
      for (let d = 0; d < headDim; d++) s += q[qb + d]! * K[kb + d]!
      s = s * scale - (pen === 0 ? 0 : pen * Math.log2(1 + i - j))
      scores[r] = s
      if (s > max) max = s
    }
    let sum = 0
    for (let r = 0; r < n; r++) sum += scores[r] = Math.exp(scores[r]! - max)
    acc.fill(0)
    for (let r = 0; r < n; r++) {
      const j = r < sinkEnd ? r : localStart + (r - sinkEnd)
      const vb = cache.slot(j) * kvDim + kvOff
      const w = scores[r]! / sum
      for (let d = 0; d < headDim; d++) acc[d] += w * V[vb + d]!
    }
    out.set(acc, o + h * headDim)
  }
}
