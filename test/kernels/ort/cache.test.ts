import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../../kernels/config.ts'
import { ModelError } from '../../../kernels/errors.ts'
import { windowGroup } from '../../../kernels/ort/attention.ts'
import { KvCache } from '../../../kernels/ort/cache.ts'
import { DENSE_MAX_CONTEXT } from '../../../kernels/constants.ts'
import { DENSE_INITIAL_SLOTS } from '../../../kernels/ort/constants.ts'

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

test('each block reads every j ∈ K(i) = { j ≤ i : j < G or i − j < W } exactly once, dist = log2(1 + i − j), +∞ elsewhere', () => {
  for (const config of [lasa, dense]) {
    const cache = new KvCache(config)
    // (blocks, block, real count): single blocks, several blocks with B ≥ W, padded tails, chunks starting before G.
    const plans = [[1, 1, 1], [2, 5, 9], [1, 3, 3], [3, 5, 15], [1, 1, 1], [4, 5, 17], [2, 5, 10], [1, 2, 2], [3, 5, 11]]
    for (const [blocks, block, count] of plans) {
      const p0 = cache.length
      for (let l = 0; l < config.layers; l++) {
        const b = cache.bias({ blocks: blocks!, block: block!, count: count! }).get(windowGroup(config, l))!
        const S = cache.used(l)
        const W = config.window[l]!
        for (let q = 0; q < count!; q++) {
          const blk = Math.floor(q / block!)
          const i = p0 + q
          const seen: number[] = []
          for (let t = 0; t < b.keys; t++) {
            const at = (blk * block! + q % block!) * b.keys + t
            if (b.dist[at] === Infinity) continue
            const row = Number(b.index[blk * b.keys + t])
            const j = row < S ? cache.positionAt(l, row) : p0 + row - S // what the graph's Gather reads
            seen.push(j)
            assert.equal(b.dist[at], config.lasa ? Math.fround(Math.log2(1 + i - j)) : 0)
          }
          const want = Array.from({ length: i + 1 }, (_, j) => j).filter((j) => j < config.globals || i - j < W)
          assert.deepEqual(seen.sort((x, y) => x - y), want, `layer ${l} query ${i} (plan ${blocks}×${block})`)
        }
      }
      feed(cache, count!, count!)
    }
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
