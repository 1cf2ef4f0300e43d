import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../../kernels/config.ts'
import { ropeAngles } from '../../../kernels/ops.ts'
import { ropeTables } from '../../../kernels/ort/rope.ts'

test('ORT RoPE tables are bit-identical to the reference ropeAngles, both halves of a head, large positions too', () => {
  const c = parseConfig({
    vocab_size: 260, hidden_size: 64, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2,
    num_local_experts: 2, num_experts_per_tok: 1, rope_theta: 1e6,
  })
  const D = c.headDim
  const start = 16_380
  const { cos, sin } = ropeTables(c, start, 9)
  const hc = new Float32Array(D / 2)
  const hs = new Float32Array(D / 2)
  for (let t = 0; t < 9; t++) {
    ropeAngles(hc, hs, start + t, D, c.ropeTheta)
    for (let k = 0; k < D; k++) {
      assert.equal(cos[t * D + k], hc[k % (D / 2)])
      assert.equal(sin[t * D + k], hs[k % (D / 2)])
    }
  }
})
