/**
 * The TS trainer's gradients against the independent PyTorch autograd reference (test/kernels/golden/train_reference.py,
 * float64), committed as test/kernels/golden/train-grads.json (regenerate: scripts/gen-train-golden.ts). Per tensor,
 * max |Δ| / max |g| ≤ 1e-4 (binary64 goal; measured ~1e-12). No torch is needed at test time.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { randomWeights } from '../../../kernels/bundled.ts'
import { parseConfig } from '../../../kernels/config.ts'
import { paramSlot } from '../../../kernels/train/checkpoint.ts'
import { lossAndGrad } from '../../../kernels/train/model.ts'
import { fromWeights, zerosLike } from '../../../kernels/train/params.ts'
import { expectedTensors } from '../../../kernels/weights.ts'
import { TRAIN_GOLDEN_CONFIG, TRAIN_GOLDEN_SEED } from './golden-model.ts'

interface Golden { loss: number; ce: number; aux: number; grads: Record<string, string> }
const golden = JSON.parse(readFileSync(new URL('../golden/train-grads.json', import.meta.url), 'utf8')) as Golden
const batch = JSON.parse(readFileSync(new URL('../golden/train-batch.json', import.meta.url), 'utf8')) as { tokens: number[]; targets: number[]; starts: number[]; aux_coef: number }

/** Per tensor max |Δ| / max |g| of the TS gradients against the golden ones. */
function gradErrors(): Map<string, number> {
  const c = parseConfig(TRAIN_GOLDEN_CONFIG)
  const p = fromWeights(randomWeights(c, TRAIN_GOLDEN_SEED))
  const g = zerosLike(p)
  lossAndGrad(p, c, { tokens: Int32Array.from(batch.tokens), targets: Int32Array.from(batch.targets), starts: batch.starts }, batch.aux_coef, g)
  const errors = new Map<string, number>()
  for (const s of expectedTensors(c)) {
    const b64 = golden.grads[s.name]
    assert.ok(b64 !== undefined, `golden has ${s.name}`)
    const buf = Buffer.from(b64, 'base64')
    const want = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8)
    const got = paramSlot(g, s)
    assert.equal(got.length, want.length, s.name)
    let maxD = 0, maxG = 0
    for (let i = 0; i < want.length; i++) {
      maxD = Math.max(maxD, Math.abs(got[i]! - want[i]!))
      maxG = Math.max(maxG, Math.abs(want[i]!))
    }
    errors.set(s.name, maxG === 0 ? maxD : maxD / maxG)
  }
  return errors
}

test('TS gradients of every tensor match PyTorch autograd (float64): max |Δ| / max |g| ≤ 1e-4 per tensor', () => {
  const c = parseConfig(TRAIN_GOLDEN_CONFIG)
  const r = lossAndGrad(fromWeights(randomWeights(c, TRAIN_GOLDEN_SEED)), c, { tokens: Int32Array.from(batch.tokens), targets: Int32Array.from(batch.targets), starts: batch.starts }, batch.aux_coef, null)
  assert.ok(Math.abs(r.ce - golden.ce) < 1e-9 && Math.abs(r.aux - golden.aux) < 1e-9, `loss ${r.ce}/${r.aux} vs ${golden.ce}/${golden.aux}`)
  const errors = gradErrors()
  assert.equal(errors.size, expectedTensors(c).length)
  for (const [name, e] of errors) assert.ok(e <= 1e-4, `${name}: ${e}`)
})
