import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomWeights } from '../../kernels/bundled.ts'
import { parseConfig } from '../../kernels/config.ts'
import { matmulT } from '../../kernels/matmul.ts'
import { moe, moeNaive, route } from '../../kernels/moe.ts'
import { mulberry32 } from '../../kernels/random.ts'
import { TINY_LASA, TINY_MIXTRAL } from './helpers.ts'

for (const [name, json] of [['LASA 6 experts', TINY_LASA], ['Mixtral 8 experts', TINY_MIXTRAL]] as const) {
  test(`grouped MoE equals the naive per-token, per-expert loop (${name})`, () => {
    const c = parseConfig(json)
    const w = randomWeights(c, 3).layers[1]!
    const rand = mulberry32(5)
    for (const t of [1, 3, 4, 37]) {
      const x = Float32Array.from({ length: t * c.dim }, () => 2 * rand() - 1)
      const a = new Float32Array(t * c.dim)
      const b = new Float32Array(t * c.dim)
      moe(a, x, t, c, w)
      moeNaive(b, x, t, c, w)
      assert.deepEqual(a, b, `t = ${t}`)
      assert.ok(a.some((v) => v !== 0))
    }
  })
}

test('router: softmax over all, top-k ties go to the lower index, weights renormalised', () => {
  const c = parseConfig({ ...TINY_MIXTRAL, hidden_size: 4, num_attention_heads: 1, num_key_value_heads: 1 })
  const w = randomWeights(c, 1).layers[0]!
  // gate rows: experts 5 and 2 tie highest, 7 and 3 tie next: with x = e0 the logits are gate[:, 0].
  w.gate.fill(0)
  for (const [e, v] of [[5, 3], [2, 3], [7, 1], [3, 1]] as const) w.gate[e * 4] = v
  const r = route(Float32Array.of(1, 0, 0, 0), 1, c, w)
  assert.deepEqual(Array.from(r.ids), [2, 5])
  assert.ok(Math.abs(r.weights[0]! - 0.5) < 1e-12 && Math.abs(r.weights[1]! - 0.5) < 1e-12)
  w.gate[5 * 4] = 1
  const r2 = route(Float32Array.of(1, 0, 0, 0), 1, c, w)
  assert.deepEqual(Array.from(r2.ids), [2, 3])
  const p2 = Math.exp(3), p1 = Math.exp(1)
  assert.ok(Math.abs(r2.weights[0]! - p2 / (p2 + p1)) < 1e-9)
})

test('matmulT equals a plain triple loop on ragged sizes', () => {
  const rand = mulberry32(11)
  for (const [m, n, k] of [[1, 1, 1], [5, 7, 3], [4, 4, 9], [9, 13, 17], [16, 3, 8]] as const) {
    const a = Float32Array.from({ length: m * k }, () => rand() - 0.5)
    const b = Float32Array.from({ length: n * k + 5 }, () => rand() - 0.5)
    const out = new Float32Array(m * n)
    matmulT(out, a, b, m, n, k, 5)
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let p = 0; p < k; p++) s += a[i * k + p]! * b[5 + j * k + p]!
        assert.equal(out[i * n + j], Math.fround(s))
      }
    }
  }
})
