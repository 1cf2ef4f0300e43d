/**
 * Micro-batches and the worker pool (kernels/train/pool.ts): with auxCoef 0 the micro-batched gradient is the whole
 * batch's gradient (to rounding), and two workers give bit-identically the weights one thread gives.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomWeights } from '../../../kernels/bundled.ts'
import { parseConfig } from '../../../kernels/config.ts'
import type { Example } from '../../../kernels/train/data.ts'
import { fromWeights, namedTensors, sharedCopy } from '../../../kernels/train/params.ts'
import { GradientPool } from '../../../kernels/train/pool.ts'
import { Trainer, TRAIN_DEFAULTS, type TrainOptions } from '../../../kernels/train/trainer.ts'
import { TRAIN_GOLDEN_CONFIG } from './golden-model.ts'

const c = parseConfig(TRAIN_GOLDEN_CONFIG)
const examples: Example[] = Array.from({ length: 8 }, (_, k) => {
  const tokens = [256, ...Array.from({ length: 9 + k }, (_, i) => (i * 13 + k * 7) % 256)]
  return { tokens, loss: tokens.slice(1).map((_, i) => i % 4 !== 1) }
})
const bytes = (t: Trainer) => Buffer.concat(namedTensors(t.params).map((x) => Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength)))

test('micro-batches: the summed gradient equals the whole batch\'s (no aux term), so one step lands on the same weights to rounding', () => {
  const o: TrainOptions = { ...TRAIN_DEFAULTS, batchSize: 4, steps: 1, warmup: 0, auxCoef: 0, maxGradNorm: Infinity, adamw: { ...TRAIN_DEFAULTS.adamw, lr: 1e-3 } }
  const whole = new Trainer(c, fromWeights(randomWeights(c, 4)), examples, o)
  const micro = new Trainer(c, fromWeights(randomWeights(c, 4)), examples, { ...o, microBatch: 1 })
  const a = whole.next(), b = micro.next()
  assert.ok(Math.abs(a.ce - b.ce) < 1e-12 && Math.abs(a.gradNorm - b.gradNorm) < 1e-12, `${a.ce}/${b.ce} ${a.gradNorm}/${b.gradNorm}`)
  const pa = namedTensors(whole.params), pb = namedTensors(micro.params)
  for (let t = 0; t < pa.length; t++) for (let i = 0; i < pa[t]!.data.length; i++) assert.ok(Math.abs(pa[t]!.data[i]! - pb[t]!.data[i]!) < 1e-9, pa[t]!.name)
})

test('a pool of 2 workers gives bit-identically the weights of one thread (3 steps, micro-batches of 2)', async () => {
  const o: TrainOptions = { ...TRAIN_DEFAULTS, batchSize: 4, microBatch: 2, steps: 3, warmup: 1, auxCoef: 0.01 }
  const one = new Trainer(c, fromWeights(randomWeights(c, 4)), examples, o)
  const records = [one.next(), one.next(), one.next()]
  const par = new Trainer(c, sharedCopy(fromWeights(randomWeights(c, 4))), examples, o)
  const pool = GradientPool.open(c, par.params, 2, o.auxCoef)
  try {
    const got = [await par.nextParallel(pool), await par.nextParallel(pool), await par.nextParallel(pool)]
    assert.deepEqual(got, records)
  } finally {
    await pool.close()
  }
  assert.ok(bytes(par).equals(bytes(one)))
})
