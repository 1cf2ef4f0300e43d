import { test } from 'node:test'
import assert from 'node:assert/strict'
import { attend, attentionParams, KvCache } from '../../kernels/attention.ts'
import { mulberry32 } from '../../kernels/random.ts'

function randn(n: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * rand() - 1)
}

/** Brute force from the spec: the full T×T score matrix, masked to K(i), softmax per row. (t, heads, headDim) */
function bruteForce(q: Float32Array, k: Float32Array, v: Float32Array, t: number, heads: number, kvHeads: number, hd: number, slope: Float32Array | null, W: number, G: number): Float64Array {
  const out = new Float64Array(t * heads * hd)
  for (let h = 0; h < heads; h++) {
    const kvh = Math.floor(h / (heads / kvHeads))
    const pen = slope === null ? 0 : Math.log(1 + Math.exp(slope[h]!))
    for (let i = 0; i < t; i++) {
      const s = new Float64Array(t).fill(-Infinity)
      for (let j = 0; j < t; j++) {
        const inK = j <= i && (j < G || i - j < W)
        if (!inK) continue
        let d = 0
        for (let x = 0; x < hd; x++) d += q[(i * heads + h) * hd + x]! * k[(j * kvHeads + kvh) * hd + x]!
        s[j] = d / Math.sqrt(hd) - pen * Math.log2(1 + i - j)
      }
      const max = Math.max(...s)
      let sum = 0
      for (let j = 0; j < t; j++) sum += s[j] = Math.exp(s[j]! - max)
      for (let j = 0; j < t; j++) for (let x = 0; x < hd; x++) out[(i * heads + h) * hd + x] += (s[j]! / sum) * v[(j * kvHeads + kvh) * hd + x]!
    }
  }
  return out
}

for (const [W, G, slopes] of [[5, 2, true], [3, 0, true], [1, 3, true], [4, 6, true], [Infinity, 0, false], [7, 1, false]] as const) {
  test(`attention over the bounded cache equals the masked T×T reference (W=${W}, G=${G}, slopes=${slopes})`, () => {
    const rand = mulberry32(W === Infinity ? 99 : W * 10 + G)
    const [t, heads, kvHeads, hd] = [23, 4, 2, 6]
    const q = randn(t * heads * hd, rand)
    const k = randn(t * kvHeads * hd, rand)
    const v = randn(t * kvHeads * hd, rand)
    const slope = slopes ? randn(heads, rand) : null
    const want = bruteForce(q, k, v, t, heads, kvHeads, hd, slope, W, G)
    const cache = new KvCache(kvHeads * hd, W, G)
    const bytes = cache.bytes
    const out = new Float32Array(t * heads * hd)
    const params = attentionParams(heads, kvHeads, hd, slope)
    const scores = new Float64Array(t + G)
    for (let i = 0; i < t; i++) {
      cache.put(i, k, i * kvHeads * hd, v, i * kvHeads * hd)
      attend(out, i * heads * hd, q, i * heads * hd, i, cache, params, scores)
    }
    for (let r = 0; r < out.length; r++) assert.ok(Math.abs(out[r]! - want[r]!) < 1e-5, `out[${r}] = ${out[r]} vs ${want[r]}`)
    if (Number.isFinite(W)) assert.equal(cache.bytes, bytes, 'a bounded cache never reallocates')
  })
}

test('the LASA cache allocation does not grow with the context (16,384 positions)', () => {
  const kvDim = 64
  const cache = new KvCache(kvDim, 64, 4)
  const before = cache.bytes
  assert.equal(before, (4 + 64) * kvDim * 4 * 2)
  const row = new Float32Array(kvDim)
  for (let j = 0; j < 16384; j++) cache.put(j, row, 0, row, 0)
  assert.equal(cache.bytes, before)
  assert.equal(cache.slot(3), 3)
  assert.equal(cache.slot(4), 4)
  assert.equal(cache.slot(4 + 64), 4)
  // An unbounded (plain Mixtral) cache does grow.
  const dense = new KvCache(kvDim, Infinity, 0)
  for (let j = 0; j < 1000; j++) dense.put(j, row, 0, row, 0)
  assert.ok(dense.bytes >= 1000 * kvDim * 8)
})
