/**
 * The KV cache of the ORT backend, owned by JavaScript and passed to the graph as fixed inputs (graph.ts).
 *
 * LASA layers (specs/lasa.md §Semantics): K(i) = { j ≤ i : j < G or i − j < W }, so a layer keeps G sink slots
 * (positions 0..G−1) and a ring of W slots (position p ≥ G lives in slot G + (p − G) mod W): G + W slots whatever
 * the context length, allocated once. Keys are stored after RoPE and never re-indexed.
 * Plain Mixtral layers (W = ∞): slot p holds position p; the arrays double from DENSE_INITIAL_SLOTS up to
 * DENSE_MAX_CONTEXT positions (a dense cache is what full causal attention needs).
 * Slots fill in position order, so the slots in use are always a prefix: only that prefix goes to the graph.
 */
import type { Config } from '../config.ts'
import { ModelError } from '../errors.ts'
import { DENSE_MAX_CONTEXT } from '../constants.ts'
import { DENSE_INITIAL_SLOTS } from './constants.ts'
import { windowGroup } from './attention.ts'

/** One layer's stored keys and values, (slots, kvHeads, headDim) row-major. */
export interface LayerCache {
  k: Float32Array
  v: Float32Array
}

/** How one graph run lays out its chunk: `blocks` blocks of `block` queries, the first `count` of them real. */
export interface ChunkPlan {
  blocks: number // nb
  block: number // B
  count: number // real tokens (≤ nb·B; the rest is padding after them, never attended by a real token)
}

/** The per-chunk inputs that depend on positions, one set per window group (attention.ts). */
export interface ChunkBias {
  group: string
  keys: number // Tk key columns per block
  index: BigInt64Array // (nb, Tk): row of [cache slots in use | chunk rows] each column reads
  dist: Float32Array // (nb, 1, B, Tk): log2(1 + i − j) (LASA) or 0 (plain Mixtral) where j ∈ K(i), +∞ elsewhere
}

export class KvCache {
  readonly layers: LayerCache[] = []
  /** Positions consumed so far (the next token's absolute position). */
  length = 0
  private readonly row: number // floats per slot: kvHeads · headDim

  constructor(readonly config: Config) {
    this.row = config.kvHeads * config.headDim
    for (let l = 0; l < config.layers; l++) {
      const slots = this.capacity(l, 0)
      this.layers.push({ k: new Float32Array(slots * this.row), v: new Float32Array(slots * this.row) })
    }
  }

  /** Bytes the cache has allocated (keys and values, every layer). */
  get bytes(): number {
    return this.layers.reduce((n, c) => n + c.k.byteLength + c.v.byteLength, 0)
  }

  /** Slot of absolute position p in layer l. */
  slotOf(l: number, p: number): number {
    const W = this.config.window[l]!
    const G = this.config.globals
    if (!Number.isFinite(W) || p < G) return p
    return G + ((p - G) % W)
  }

  /** Slots in use in layer l (a prefix of its arrays). */
  used(l: number): number {
    const W = this.config.window[l]!
    return Number.isFinite(W) ? Math.min(this.length, this.config.globals + W) : this.length
  }

  /** Position held by slot s of layer l (s < used(l)): the newest p < length with slotOf(l, p) = s. */
  positionAt(l: number, s: number): number {
    const W = this.config.window[l]!
    const G = this.config.globals
    if (!Number.isFinite(W) || s < G) return s
    const last = this.length - 1
    return last - ((((last - G) % W) - (s - G) + W) % W)
  }

  /** The slots in use of layer l as (S, kvHeads, headDim) views, no copy. */
  view(l: number): { k: Float32Array; v: Float32Array; slots: number } {
    const s = this.used(l)
    const c = this.layers[l]!
    return { k: c.k.subarray(0, s * this.row), v: c.v.subarray(0, s * this.row), slots: s }
  }

  /**
   * keys/dist for the chunk `plan` starting at this.length, one set per window group. Block b (queries
   * i ∈ [a, a + B), a = length + b·B) reads the G sink positions, then the band (a − W, a + B) minus the sinks, so
   * each j ∈ K(i) sits in exactly one column. Plain Mixtral (W = ∞, one block) reads every position so far.
   */
  bias(plan: ChunkPlan): Map<string, ChunkBias> {
    const out = new Map<string, ChunkBias>()
    const G = this.config.globals
    const { blocks, block: B } = plan
    const p0 = this.length
    for (let l = 0; l < this.config.layers; l++) {
      const group = windowGroup(this.config, l)
      if (out.has(group)) continue
      const W = this.config.window[l]!
      const S = this.used(l)
      const finite = Number.isFinite(W)
      const band = finite ? W - 1 + B : p0 + blocks * B // positions (a − W, a + B), or every position [0, p0 + nb·B)
      const sinks = finite ? G : 0
      const Tk = sinks + band
      const index = new BigInt64Array(blocks * Tk)
      const dist = new Float32Array(blocks * B * Tk).fill(Infinity)
      const keyPos = new Float64Array(Tk)
      const log2p1 = finite ? Float32Array.from({ length: band + 1 }, (_, d) => Math.log2(1 + d)) : null // i − j < band
      for (let b = 0; b < blocks; b++) {
        const a = p0 + b * B
        for (let t = 0; t < Tk; t++) {
          // Sinks first, then the band; a band position < G is a sink already: leave it to its sink column.
          const sink = t < sinks
          const j = sink ? t : (finite ? a + B - band : 0) + t - sinks
          const usable = j >= 0 && (sink || j >= sinks) && j < p0 + blocks * B
          keyPos[t] = usable ? j : -1
          index[b * Tk + t] = usable ? BigInt(j < p0 ? this.slotOf(l, j) : S + j - p0) : 0n
        }
        for (let q = 0; q < B; q++) {
          const i = a + q
          const rowAt = (b * B + q) * Tk
          for (let t = 0; t < sinks; t++) {
            const j = keyPos[t]!
            if (j >= 0 && j <= i) dist[rowAt + t] = Math.log2(1 + i - j)
          }
          // Band column t holds j = a + B − band + (t − sinks) (or nothing): i − j = q + band − B − (t − sinks).
          for (let t = sinks; t < Tk; t++) {
            const j = keyPos[t]!
            if (j < 0 || j > i || (j >= G && i - j >= W)) continue
            dist[rowAt + t] = log2p1 === null ? 0 : log2p1[i - j]!
          }
        }
      }
      out.set(group, { group, keys: Tk, index, dist })
    }
    return out
  }

  /** Stores the chunk's new keys/values ((count, kvHeads, headDim) per layer) and advances length by count. */
  append(keys: Float32Array[], values: Float32Array[], count: number): void {
    const end = this.length + count
    for (let l = 0; l < this.config.layers; l++) {
      this.ensure(l, end)
      const c = this.layers[l]!
      const W = this.config.window[l]!
      for (let t = 0; t < count; t++) {
        const p = this.length + t
        if (p >= this.config.globals && end - p > W) continue // a later position of this chunk takes its ring slot
        const s = this.slotOf(l, p) * this.row
        c.k.set(keys[l]!.subarray(t * this.row, (t + 1) * this.row), s)
        c.v.set(values[l]!.subarray(t * this.row, (t + 1) * this.row), s)
      }
    }
    this.length = end
  }

  /** Throws unless `count` more positions fit (only plain Mixtral layers have a limit). */
  checkRoom(count: number): void {
    const dense = this.config.window.some((w) => !Number.isFinite(w))
    if (dense && this.length + count > DENSE_MAX_CONTEXT) {
      throw new ModelError('context_too_long', `context of ${this.length + count} tokens exceeds DENSE_MAX_CONTEXT (${DENSE_MAX_CONTEXT}) for a model without lasa_window`)
    }
  }

  private capacity(l: number, positions: number): number {
    const W = this.config.window[l]!
    if (Number.isFinite(W)) return this.config.globals + W
    let slots = DENSE_INITIAL_SLOTS
    while (slots < positions) slots *= 2
    return Math.min(slots, Math.max(positions, DENSE_MAX_CONTEXT))
  }

  private ensure(l: number, positions: number): void {
    const c = this.layers[l]!
    if (c.k.length >= Math.min(positions, this.capacity(l, positions)) * this.row) return
    const slots = this.capacity(l, positions)
    const k = new Float32Array(slots * this.row)
    const v = new Float32Array(slots * this.row)
    k.set(c.k)
    v.set(c.v)
    this.layers[l] = { k, v }
  }
}
