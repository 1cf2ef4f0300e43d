import { test } from 'node:test'
import assert from 'node:assert/strict'
import ort from 'onnxruntime-node'
import { parseConfig, type Config } from '../../../kernels/config.ts'
import { randomWeights } from '../../../kernels/bundled.ts'
import { mulberry32 } from '../../../kernels/random.ts'
import type { LayerWeights } from '../../../kernels/weights.ts'
import { GraphBuilder } from '../../../kernels/ort/onnx.ts'
import { moe, type MoeLayout } from '../../../kernels/ort/moe.ts'
import { createSession } from '../../../kernels/ort/sessions.ts'

// 8 experts top-2 (the layouts must not depend on 16), small sizes so the naive loop is quick.
const config: Config = parseConfig({
  vocab_size: 260, hidden_size: 48, intermediate_size: 40, num_hidden_layers: 1, num_attention_heads: 4,
  num_key_value_heads: 2, num_local_experts: 8, num_experts_per_tok: 2, rope_theta: 10000,
})
const layer = randomWeights(config, 7).layers[0]!

/** The semantics one token and one expert at a time, in f64: softmax over all, top-k (ties → lower index), renormalise. */
function naiveMoe(c: Config, w: LayerWeights, x: Float32Array, rows: number): Float64Array {
  const out = new Float64Array(rows * c.dim)
  for (let t = 0; t < rows; t++) {
    const xt = x.subarray(t * c.dim, (t + 1) * c.dim)
    const logits = Array.from({ length: c.experts }, (_, e) => {
      let s = 0
      for (let i = 0; i < c.dim; i++) s += w.gate[e * c.dim + i]! * xt[i]!
      return s
    })
    const max = Math.max(...logits)
    const p = logits.map((l) => Math.exp(l - max))
    const sum = p.reduce((a, b) => a + b, 0)
    const order = p.map((v, e) => ({ v: v / sum, e })).sort((a, b) => b.v - a.v || a.e - b.e).slice(0, c.topK)
    const norm = order.reduce((a, o) => a + o.v, 0)
    for (const { v, e } of order) {
      const act = new Float64Array(c.hidden)
      for (let h = 0; h < c.hidden; h++) {
        let a = 0
        let b = 0
        const row = (e * c.hidden + h) * c.dim
        for (let i = 0; i < c.dim; i++) {
          a += w.w1[row + i]! * xt[i]!
          b += w.w3[row + i]! * xt[i]!
        }
        act[h] = (a / (1 + Math.exp(-a))) * b
      }
      for (let d = 0; d < c.dim; d++) {
        let y = 0
        const row = (e * c.dim + d) * c.hidden
        for (let h = 0; h < c.hidden; h++) y += w.w2[row + h]! * act[h]!
        out[t * c.dim + d] += (v / norm) * y
      }
    }
  }
  return out
}

async function runMoe(layout: MoeLayout, w: LayerWeights, x: Float32Array, rows: number): Promise<Float32Array> {
  const g = new GraphBuilder()
  const input = g.input('x', 'float32', ['C', config.dim])
  g.output(moe(g, config, w, input, 'layers.0.', layout), 'y', 'float32', ['C', config.dim])
  const session = await createSession(g.encode('moe'))
  const out = await session.run({ x: new ort.Tensor('float32', x, [rows, config.dim]) })
  await session.release()
  return out.y!.data as Float32Array
}

function input(rows: number): Float32Array {
  const rand = mulberry32(99)
  return Float32Array.from({ length: rows * config.dim }, () => 2 * rand() - 1)
}

/**
 * A router with exact ties: row 0 = 3u, rows 2 and 5 = 2u, all other rows 0. A token with u·x > 0 has expert 0 first
 * and 2, 5 tied for second (the spec picks 2); with u·x < 0 the six zero rows tie for first (the spec picks 1, 3).
 */
function tiedRouter(): LayerWeights {
  const u = layer.gate.subarray(0, config.dim)
  const gate = new Float32Array(config.experts * config.dim)
  gate.set(u.map((v) => 3 * v), 0)
  gate.set(u.map((v) => 2 * v), 2 * config.dim)
  gate.set(u.map((v) => 2 * v), 5 * config.dim)
  return { ...layer, gate }
}

async function check(layout: MoeLayout, w: LayerWeights, rows: number): Promise<void> {
  const x = input(rows)
  const got = await runMoe(layout, w, x, rows)
  const want = naiveMoe(config, w, x, rows)
  let scale = 0
  for (const v of want) scale = Math.max(scale, Math.abs(v))
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * scale + 1e-7, `element ${i}: ${got[i]} vs ${want[i]}`)
  }
}

for (const layout of ['sparse', 'fused'] as const) {
  test(`${layout} MoE equals the naive per-expert loop (1 and 37 tokens)`, async () => {
    await check(layout, layer, 1)
    await check(layout, layer, 37)
  })
  test(`${layout} MoE breaks router ties toward the lower expert index`, async () => {
    await check(layout, tiedRouter(), 37)
  })
}
