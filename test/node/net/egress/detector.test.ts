import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EgressScanner, WeightIndex, EGRESS_WINDOW_BYTES as W } from '../../../../node/net/egress/index.ts'
import type { WeightHit } from '../../../../node/net/egress/index.ts'
import { mulberry32 as rng } from '../../../../kernels/random.ts'

function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed)
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256)
  return b
}
function scanAll(index: WeightIndex, stream: Uint8Array, chunkSeed = 0): WeightHit[] {
  const s = new EgressScanner(index)
  const hits: WeightHit[] = []
  const r = rng(chunkSeed)
  for (let i = 0; i < stream.length;) {
    const n = chunkSeed === 0 ? stream.length : 1 + Math.floor(r() * 200)
    hits.push(...s.push(stream.subarray(i, i + n)))
    i += n
  }
  return hits
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

const weights = randomBytes(200_000, 1)
const index = new WeightIndex([{ name: 'model.safetensors', bytes: weights }])

test('every window of a small file is indexed (stride 1)', () => {
  assert.equal(index.stride, 1)
  assert.equal(index.indexed, weights.length - W + 1)
})

test('weight bytes at an arbitrary shift in the stream are found with exact length and location', () => {
  for (const [shift, from, len] of [[0, 0, 1000], [7, 12_345, 4096], [1, 199_000, 1000], [333, 77_777, W]]) {
    const stream = concat(randomBytes(shift, 100 + shift), weights.subarray(from, from + len), randomBytes(500, 200))
    const hits = scanAll(index, stream)
    assert.equal(hits.length, 1, `shift ${shift}`)
    assert.equal(hits[0].offset, shift)
    assert.equal(hits[0].length, len)
    assert.deepEqual(hits[0].weights, { file: 'model.safetensors', offset: from })
  }
})

test('data split into random small writes is still found, bytes counted once', () => {
  const stream = concat(randomBytes(1001, 3), weights.subarray(5000, 15_000), randomBytes(77, 4), weights.subarray(90_001, 90_301))
  for (const seed of [5, 6, 7]) {
    const hits = scanAll(index, stream, seed)
    assert.equal(hits.reduce((n, h) => n + h.length, 0), 10_000 + 300, `seed ${seed}`)
    assert.equal(hits[0].offset, 1001)
  }
})

test('partial overlaps: runs of at least one window are found, shorter runs are not', () => {
  const short = scanAll(index, concat(randomBytes(50, 8), weights.subarray(100, 100 + W - 1), randomBytes(50, 9)))
  assert.equal(short.length, 0)
  const exact = scanAll(index, concat(randomBytes(50, 8), weights.subarray(100, 100 + W), randomBytes(50, 9)))
  assert.equal(exact.length, 1)
  assert.equal(exact[0].length, W)
  // A stream that starts in the middle of the file and a run that is interrupted by one changed byte.
  const tampered = weights.slice(20_000, 21_000)
  tampered[500] ^= 0xff
  const hits = scanAll(index, tampered)
  assert.deepEqual(hits.map((h) => [h.offset, h.length]), [[0, 500], [501, 499]])
})

test('no false positives on unrelated traffic or record-like text', () => {
  assert.equal(scanAll(index, randomBytes(1_000_000, 10), 11).length, 0)
  const records = new TextEncoder().encode(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({
    type: 'BenchmarkResult', suite: `bafkrei${i.toString(36).padStart(52, 'a')}`, overall_ppm: i * 37, created: 1_767_225_600_000 + i,
  }))))
  assert.equal(scanAll(index, records).length, 0)
})

test('low-entropy windows (padding, zero runs) in weight files are not indexed', () => {
  const padded = concat(new Uint8Array(8192), weights.subarray(0, 4096), new Uint8Array(8192).fill(0x20))
  const idx = new WeightIndex([{ name: 'padded.bin', bytes: padded }])
  assert.equal(scanAll(idx, new Uint8Array(100_000)).length, 0)
  assert.equal(scanAll(idx, new Uint8Array(100_000).fill(0x20)).length, 0)
  const hits = scanAll(idx, concat(randomBytes(3, 12), weights.subarray(1000, 2000)))
  assert.equal(hits.reduce((n, h) => n + h.length, 0), 1000)
})

test('several files: a match reports its file and never extends across a file boundary', () => {
  const a = randomBytes(5000, 20)
  const b = randomBytes(5000, 21)
  const idx = new WeightIndex([{ name: 'a.safetensors', bytes: a }, { name: 'b.safetensors', bytes: b }])
  const hits = scanAll(idx, concat(a.subarray(4000), b.subarray(0, 1000)))
  assert.deepEqual(hits.map((h) => [h.weights.file, h.weights.offset, h.length]), [['a.safetensors', 4000, 1000], ['b.safetensors', 0, 1000]])
})

test('sampled index (stride > 1) still finds every run of window + stride − 1 bytes at every shift', () => {
  const idx = new WeightIndex([{ name: 'big.bin', bytes: weights }], { maxWindows: 20_000 })
  assert.ok(idx.stride > 1)
  for (let shift = 0; shift < idx.stride + 3; shift++) {
    const from = 31_337 + shift * 101
    const len = W + idx.stride - 1
    const hits = scanAll(idx, concat(randomBytes(shift + 1, 30 + shift), weights.subarray(from, from + len)))
    assert.equal(hits.reduce((n, h) => n + h.length, 0), len, `shift ${shift}`)
  }
})
