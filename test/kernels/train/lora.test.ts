/**
 * LoRA on the TS trainer (kernels/train/lora.ts, specs/lasa.md §12.5): the adapter gradients against central finite
 * differences of the whole model's loss in binary64 and against PyTorch autograd (committed golden, regenerate with
 * scripts/gen-train-golden.ts); frozen base, merged weights W + s·B·A; AdamW state over A and B
 * only; a pool of 2 workers bit-identical to one thread; invalid options refused.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { randomWeights } from '../../../kernels/bundled.ts'
import { parseConfig } from '../../../kernels/config.ts'
import { makeBatch, type Example } from '../../../kernels/train/data.ts'
import type { Batch } from '../../../kernels/train/model.ts'
import { checkLoraOptions, loraBackward, loraInit, loraMerge, LoraTrainer, type Adapter, type LoraOptions } from '../../../kernels/train/lora.ts'
import { lossAndGrad } from '../../../kernels/train/model.ts'
import { fromWeights, namedTensors, sharedCopy, zerosLike, type Params } from '../../../kernels/train/params.ts'
import { GradientPool } from '../../../kernels/train/pool.ts'
import { Trainer, TRAIN_DEFAULTS, type TrainOptions } from '../../../kernels/train/trainer.ts'
import { goldenAdapters, TRAIN_GOLDEN_CONFIG, TRAIN_GOLDEN_LORA, TRAIN_GOLDEN_SEED } from './golden-model.ts'
import { checkFiniteDifference } from './finite-difference.ts'

const c = parseConfig(TRAIN_GOLDEN_CONFIG)
const examples: Example[] = Array.from({ length: 8 }, (_, k) => {
  const tokens = [256, ...Array.from({ length: 9 + k }, (_, i) => (i * 13 + k * 7) % 256)]
  return { tokens, loss: tokens.slice(1).map((_, i) => i % 4 !== 1) }
})
const LORA: LoraOptions = TRAIN_GOLDEN_LORA
const base = () => fromWeights(randomWeights(c, TRAIN_GOLDEN_SEED))
const bytes = (arrays: Float64Array[]) => Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)))

/** The effective parameters W + s·B·A of `adapters` over `p` (a fresh array per adapted tensor). */
function merged(p: Params, adapters: readonly Adapter[]): Params {
  const eff: Params = { ...p, layers: p.layers.map((l) => ({ ...l })) }
  for (const a of adapters) {
    const out = new Float64Array(a.out * a.in)
    loraMerge(out, p.layers[a.layer]![a.field], a, LORA.rank, LORA.alpha / LORA.rank)
    eff.layers[a.layer]![a.field] = out
  }
  return eff
}

/** dA, dB of every adapter (A then B, in adapter order) for `batch`. */
function adapterGrads(p: Params, adapters: readonly Adapter[], batch: Batch, auxCoef: number): Float64Array[] {
  const eff = merged(p, adapters)
  const g = zerosLike(eff)
  lossAndGrad(eff, c, batch, auxCoef, g)
  return adapters.flatMap((a) => {
    const dA = new Float64Array(a.A.length), dB = new Float64Array(a.B.length)
    loraBackward(dA, dB, g.layers[a.layer]![a.field], a, LORA.rank, LORA.alpha / LORA.rank)
    return [dA, dB]
  })
}

test('LoRA gradients dA = s·Bᵀ·G and dB = s·G·Aᵀ match finite differences of the model loss (binary64)', () => {
  const p = base()
  const adapters = goldenAdapters(c)
  const batch = makeBatch(examples.slice(0, 3))
  const f = () => lossAndGrad(merged(p, adapters), c, batch, 0.01, null).loss
  const grads = adapterGrads(p, adapters, batch, 0.01)
  let checked = 0
  for (const [n, a] of adapters.entries()) {
    for (const [name, x, d] of [['A', a.A, grads[2 * n]!], ['B', a.B, grads[2 * n + 1]!]] as const) {
      assert.ok(d.some((v) => v !== 0), `${a.name}.${name} has a gradient`)
      checked += checkFiniteDifference(`${a.name}.${name}`, x, d, f, 1e-6, 3)
    }
  }
  assert.ok(checked > 100)
})

test('LoRA gradients match PyTorch autograd through W + s·B@A (float64, committed train-lora-grads.json): max |Δ| / max |g| ≤ 1e-4', () => {
  const golden = JSON.parse(readFileSync(new URL('../golden/train-lora-grads.json', import.meta.url), 'utf8')) as { loss: number; grads: Record<string, string> }
  const b = JSON.parse(readFileSync(new URL('../golden/train-batch.json', import.meta.url), 'utf8')) as { tokens: number[]; targets: number[]; starts: number[]; aux_coef: number }
  const batch = { tokens: Int32Array.from(b.tokens), targets: Int32Array.from(b.targets), starts: b.starts }
  const adapters = goldenAdapters(c)
  assert.ok(Math.abs(lossAndGrad(merged(base(), adapters), c, batch, b.aux_coef, null).loss - golden.loss) < 1e-9)
  const grads = adapterGrads(base(), adapters, batch, b.aux_coef)
  const names = adapters.flatMap((a) => [`lora.${a.name}.A`, `lora.${a.name}.B`])
  assert.deepEqual(Object.keys(golden.grads).sort(), [...names].sort())
  names.forEach((name, i) => {
    const buf = Buffer.from(golden.grads[name]!, 'base64')
    const want = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8)
    assert.equal(want.length, grads[i]!.length, name)
    let maxD = 0, maxG = 0
    for (let k = 0; k < want.length; k++) { maxD = Math.max(maxD, Math.abs(grads[i]![k]! - want[k]!)); maxG = Math.max(maxG, Math.abs(want[k]!)) }
    assert.ok(maxG > 0 && maxD / maxG <= 1e-4, `${name}: ${maxD / maxG}`) // measured ~2e-15
  })
})

test("lossAndGrad weights 'attention': the same bits for every gradient but the MoE's and lm_head's, which it skips", () => {
  const p = base()
  const batch = makeBatch(examples.slice(0, 4))
  const all = zerosLike(p), att = zerosLike(p)
  const ra = lossAndGrad(p, c, batch, 0.01, all, undefined, 'all')
  const rb = lossAndGrad(p, c, batch, 0.01, att, undefined, 'attention')
  assert.deepEqual(rb, ra)
  const ta = namedTensors(all), tb = namedTensors(att)
  for (let i = 0; i < ta.length; i++) {
    const skipped = /block_sparse_moe|lm_head/.test(ta[i]!.name)
    assert.equal(bytes([tb[i]!.data]).equals(bytes([ta[i]!.data])), !skipped, ta[i]!.name)
    if (skipped) assert.ok(tb[i]!.data.every((x) => x === 0), ta[i]!.name)
  }
})

test('LoRA training: base frozen, effective weights W + s·B·A, AdamW state over A and B only, first step as full tuning', () => {
  const o: TrainOptions = { ...TRAIN_DEFAULTS, batchSize: 3, steps: 3, warmup: 1 }
  const p = base()
  const frozen = bytes(namedTensors(p).map((t) => t.data.slice()))
  const t = new LoraTrainer(c, p, examples, o, LORA)
  const full = new Trainer(c, base(), examples, o)
  const first = t.next()
  assert.deepEqual({ ...first, gradNorm: 0 }, { ...full.next(), gradNorm: 0 }) // B = 0: W_eff = W, same batch, loss, lr
  t.next(); t.next()
  assert.ok(bytes(namedTensors(p).map((x) => x.data)).equals(frozen), 'the base parameters are never written')
  const perLayer = LORA.rank * ((16 + 16) + (16 + 8) + (16 + 8) + (16 + 16)) // q, k, v (GQA: 8 rows), o
  assert.equal(t.trainableCount, c.layers * perLayer)
  assert.equal([...t.opt.m, ...t.opt.v].reduce((n, x) => n + x.data.length, 0), 2 * t.trainableCount, 'moments only for A and B')
  const baseCount = namedTensors(p).reduce((n, x) => n + x.data.length, 0)
  assert.ok(t.trainableCount * 20 < baseCount, `${t.trainableCount} trainable of ${baseCount}`)
  for (const a of t.adapters) {
    const want = new Float64Array(a.out * a.in)
    loraMerge(want, p.layers[a.layer]![a.field], a, LORA.rank, t.scale)
    assert.ok(bytes([t.params.layers[a.layer]![a.field]]).equals(bytes([want])), a.name)
    assert.ok(a.B.some((x) => x !== 0), `${a.name}: B trained`)
  }
  assert.equal(t.params.layers[0]!.w1, p.layers[0]!.w1) // no adapter: the base array itself
})

test('LoRA: a pool of 2 workers gives bit-identically the adapters and weights of one thread (3 steps, micro-batches of 2)', async () => {
  const o: TrainOptions = { ...TRAIN_DEFAULTS, batchSize: 4, microBatch: 2, steps: 3, warmup: 1, auxCoef: 0.01 }
  const one = new LoraTrainer(c, base(), examples, o, LORA)
  const records = [one.next(), one.next(), one.next()]
  const par = new LoraTrainer(c, sharedCopy(base()), examples, o, LORA)
  const pool = GradientPool.open(c, par.params, 2, o.auxCoef, 'attention')
  try {
    assert.deepEqual([await par.nextParallel(pool), await par.nextParallel(pool), await par.nextParallel(pool)], records)
  } finally {
    await pool.close()
  }
  assert.ok(bytes(par.adapters.flatMap((a) => [a.A, a.B])).equals(bytes(one.adapters.flatMap((a) => [a.A, a.B]))))
  assert.ok(bytes(namedTensors(par.params).map((x) => x.data)).equals(bytes(namedTensors(one.params).map((x) => x.data))))
})

test('LoRA options: rank 1..64 integer, alpha > 0, targets distinct in canonical order', () => {
  for (const rank of [0, 65, 2.5, NaN]) assert.throws(() => checkLoraOptions({ ...LORA, rank }), /rank must be an integer 1\.\.64/)
  for (const alpha of [0, -1, Infinity]) assert.throws(() => checkLoraOptions({ ...LORA, alpha }), /alpha/)
  for (const targets of [[], ['v_proj', 'q_proj'], ['q_proj', 'q_proj'], ['gate']] as LoraOptions['targets'][]) assert.throws(() => checkLoraOptions({ ...LORA, targets }), /targets/)
  checkLoraOptions({ ...LORA, rank: 64, targets: ['v_proj'] })
  // A ~ U(−1/√in, 1/√in) from the seed; B = 0
  const a = loraInit(c, LORA)[0]!
  assert.ok(a.A.every((x) => Math.abs(x) < 1 / Math.sqrt(a.in)) && a.B.every((x) => x === 0))
  assert.deepEqual(loraInit(c, LORA)[3]!.A, loraInit(c, LORA)[3]!.A)
  assert.notDeepEqual(loraInit(c, { ...LORA, seed: 6 })[0]!.A, a.A)
})
