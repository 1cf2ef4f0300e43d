import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../../kernels/config.ts'
import { ModelError } from '../../../kernels/errors.ts'
import { KvCache } from '../../../kernels/ort/cache.ts'
import { DENSE_INITIAL_SLOTS, DENSE_MAX_CONTEXT } from '../../../kernels/ort/constants.ts'

const base = {
  vocab_size: 260, hidden_size: 16, intermediate_size: 8, num_hidden_layers: 2, num_attention_heads: 2,
  num_key_value_heads: 1, num_local_experts: 2, num_experts_per_tok: 1,
}
const lasa = parseConfig({ ...base, lasa_window: [5, 3], lasa_global_tokens: 2 })
const dense = parseConfig(base)
const row = lasa.kvHeads * lasa.headDim

/** Appends `n` tokens whose keys/values encode their position, one chunk of `chunk` at a time. */
function feed(cache: KvCache, n: number, chunk: number): void {
  for (let done = 0; done < n; ) {
    const c = Math.min(chunk, n - done)
    const keys = Array.from({ length: cache.config.layers }, () => {
      const k = new Float32Array(c * row)
      for (let t = 0; t < c; t++) k.fill(cache.length + t, t * row, (t + 1) * row)
      return k
    })
    cache.append(keys, keys, c)
    done += c
  }
}

test('LASA cache: G + W slots per layer, allocated once, whatever the length', () => {
  const cache = new KvCache(lasa)
  const bytes = cache.bytes
  assert.equal(bytes, 2 * 4 * row * ((2 + 5) + (2 + 3)))
  feed(cache, 1000, 3)
  assert.equal(cache.bytes, bytes)
  assert.equal(cache.length, 1000)
})

test('LASA cache: every slot holds the position positionAt() says, sinks and ring', () => {
  for (const chunk of [1, 2, 3, 4]) {
    const cache = new KvCache(lasa)
    for (let n = 0; n < 40; n += chunk) {
      feed(cache, chunk, chunk)
      for (let l = 0; l < lasa.layers; l++) {
        const v = cache.view(l)
        for (let s = 0; s < v.slots; s++) assert.equal(v.k[s * row], cache.positionAt(l, s), `layer ${l} slot ${s} at length ${cache.length}`)
      }
    }
  }
})

/** Position of key column t in block b, by the layout of kernels/ort/attention.ts (−1: zero padding). */
function columnPosition(cache: KvCache, l: number, S: number, sinkRows: number, B: number, b: number, t: number): number {
  if (t < S) return cache.positionAt(l, t)
  if (t < S + sinkRows) return cache.length + t - S
  if (t < S + sinkRows + B) return b > 0 ? cache.length + (b - 1) * B + t - S - sinkRows : -1
  return cache.length + b * B + t - S - sinkRows - B
}

test('mask admits each position of K(i) = { j ≤ i : j < G or i − j < W } exactly once, dist = log2(1 + i − j)', () => {
  const cache = new KvCache(lasa)
  // (blocks, block, real count): single blocks, banded blocks with B ≥ W, padded tails, chunks starting before G.
  const plans = [[1, 1, 1], [2, 5, 9], [1, 3, 3], [3, 5, 15], [1, 1, 1], [4, 5, 17], [2, 5, 10], [1, 2, 2], [3, 5, 11]]
  for (const [blocks, block, count] of plans) {
    const biases = cache.bias({ blocks: blocks!, block: block!, count: count! })
    for (let l = 0; l < lasa.layers; l++) {
      const W = lasa.window[l]!
      const b = biases.get(`w${W}`)!
      const S = cache.used(l)
      const sinkRows = Math.min(2, blocks! * block!)
      assert.equal(b.keys, S + sinkRows + 2 * block!)
      for (let q = 0; q < count!; q++) {
        const blk = Math.floor(q / block!)
        const i = cache.length + q
        const row = q * b.keys
        const seen: number[] = []
        for (let t = 0; t < b.keys; t++) {
          if (b.mask[row + t] === -Infinity) continue
          assert.equal(b.mask[row + t], 0)
          const j = columnPosition(cache, l, S, sinkRows, block!, blk, t)
          seen.push(j)
          assert.equal(b.dist[row + t], Math.fround(Math.log2(1 + i - j)))
        }
        const want = Array.from({ length: i + 1 }, (_, j) => j).filter((j) => j < 2 || i - j < W)
        assert.deepEqual(seen.sort((x, y) => x - y), want, `layer ${l} query ${i} (plan ${blocks}×${block})`)
      }
    }
    feed(cache, count!, count!)
  }
})

test('dense cache (plain Mixtral) grows by doubling and refuses past DENSE_MAX_CONTEXT', () => {
  const cache = new KvCache(dense)
  assert.equal(cache.bytes, 2 * 4 * row * DENSE_INITIAL_SLOTS * dense.layers)
  feed(cache, DENSE_INITIAL_SLOTS + 1, 64)
  assert.equal(cache.bytes, 2 * 4 * row * 2 * DENSE_INITIAL_SLOTS * dense.layers)
  for (let l = 0; l < dense.layers; l++) assert.equal(cache.view(l).k[DENSE_INITIAL_SLOTS * row], DENSE_INITIAL_SLOTS)
  cache.length = DENSE_MAX_CONTEXT - 1
  cache.checkRoom(1)
  assert.throws(() => cache.checkRoom(2), (e) => e instanceof ModelError && e.code === 'context_too_long')
})
