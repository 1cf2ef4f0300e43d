/**
 * The whole training objective (kernels/train/model.ts) against finite differences and against the f32 inference
 * engine; the trainer's determinism (seeded data order, AdamW, clipping, bit-exact replay); F16 checkpoints.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomWeights } from '../../../kernels/bundled.ts'
import { parseConfig } from '../../../kernels/config.ts'
import { logSoftmaxAt } from '../../../kernels/ops.ts'
import { f16ToNumber } from '../../../kernels/safetensors.ts'
import { TsBackend } from '../../../kernels/ts-backend.ts'
import { adamwInit, adamwStep, clipGradients, globalNorm } from '../../../kernels/train/adamw.ts'
import { f16Bits, modelFilesF16 } from '../../../kernels/train/checkpoint.ts'
import { batchIndices, makeBatch, permutation, type Example } from '../../../kernels/train/data.ts'
import { lossAndGrad } from '../../../kernels/train/model.ts'
import { fromWeights, namedTensors, toWeights, zerosLike } from '../../../kernels/train/params.ts'
import { Trainer, TRAIN_DEFAULTS } from '../../../kernels/train/trainer.ts'
import { TINY_LASA, TINY_MIXTRAL } from '../helpers.ts'

const SMALL = { ...TINY_LASA, hidden_size: 16, intermediate_size: 12, head_dim: 4, num_local_experts: 4, lasa_window: [3, 5], lasa_global_tokens: 1 }
const batch = makeBatch([
  { tokens: [256, 10, 20, 30, 40, 50, 60, 70], loss: [true, true, true, true, true, true, false] },
  { tokens: [256, 5, 6, 7, 8, 257], loss: [false, true, true, true, true] },
])

for (const [name, json] of [['LASA', SMALL], ['plain Mixtral, tied embeddings', { ...TINY_MIXTRAL, hidden_size: 16, intermediate_size: 12, num_local_experts: 4 }]] as const) {
  test(`whole model (${name}): d loss / d every tensor matches finite differences (sampled entries)`, () => {
    const c = parseConfig(json)
    const p = fromWeights(randomWeights(c, 3))
    const g = zerosLike(p)
    lossAndGrad(p, c, batch, 0.1, g)
    const gs = namedTensors(g)
    namedTensors(p).forEach((t, ti) => {
      const ga = gs[ti]!.data
      let maxG = 0
      for (const v of ga) maxG = Math.max(maxG, Math.abs(v))
      for (let s = 0; s < 4; s++) {
        const i = (s * 7919 + ti * 31) % t.data.length
        const old = t.data[i]!
        t.data[i] = old + 1e-6
        const lp = lossAndGrad(p, c, batch, 0.1, null).loss
        t.data[i] = old - 1e-6
        const lm = lossAndGrad(p, c, batch, 0.1, null).loss
        t.data[i] = old
        const fd = (lp - lm) / 2e-6
        assert.ok(Math.abs(fd - ga[i]!) <= 1e-6 * Math.max(1, maxG), `${t.name}[${i}]: ${ga[i]} vs ${fd}`)
      }
    })
  })
}

test('the training forward pass computes the engine\'s cross-entropy (f32 TsBackend, 1e-4 relative)', () => {
  const c = parseConfig(TINY_LASA)
  const w = randomWeights(c, 7)
  const tokens = [256, ...Array.from({ length: 30 }, (_, i) => (i * 37) % 256)]
  const rows = new TsBackend(c, w).forward(tokens, true)
  let ce = 0
  for (let i = 0; i + 1 < tokens.length; i++) ce -= logSoftmaxAt(rows[i]!, tokens[i + 1]!)
  ce /= tokens.length - 1
  const r = lossAndGrad(fromWeights(w), c, makeBatch([{ tokens, loss: tokens.slice(1).map(() => true) }]), 0, null)
  assert.ok(Math.abs(r.ce - ce) <= 1e-4 * Math.abs(ce), `${r.ce} vs ${ce}`)
})

test('data order: a seeded Fisher–Yates permutation per epoch (golden), batches cover each epoch once', () => {
  assert.deepEqual(Array.from(permutation(8, 42)), Array.from(permutation(8, 42)))
  assert.deepEqual(Array.from(permutation(8, 42)), [2, 7, 1, 0, 6, 5, 3, 4])
  const seen = [0, 1, 2].flatMap((s) => batchIndices(8, 3, 42, s)).sort((a, b) => a - b)
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7])
  assert.deepEqual(batchIndices(8, 3, 42, 0), [2, 7, 1])
  assert.notDeepEqual(batchIndices(8, 3, 42, 3), batchIndices(8, 3, 42, 0), 'epoch 2 uses seed + 1')
})

test('AdamW: decoupled weight decay and bias correction (PyTorch\'s update), clipping to the global norm', () => {
  const c = parseConfig(SMALL)
  const p = fromWeights(randomWeights(c, 1))
  const g = zerosLike(p)
  g.layers[0]!.wq[0] = 3
  g.layers[0]!.attnNorm[0] = 4
  assert.equal(globalNorm(g), 5)
  assert.equal(clipGradients(g, 1), 5)
  assert.ok(Math.abs(globalNorm(g) - 5 / (5 + 1e-6)) < 1e-12)
  const w0 = p.layers[0]!.wq[0]!, n0 = p.layers[0]!.attnNorm[0]!, gw = g.layers[0]!.wq[0]!
  const o = { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.5 }
  adamwStep(p, g, adamwInit(p), o)
  // Step 1: m̂ = g, v̂ = g², so the update is lr · g / (|g| + ε) after the decay w·(1 − lr·wd).
  const want = w0 * (1 - 0.05) - (0.1 * (0.1 * gw)) / 0.1 / (Math.sqrt(0.01 * gw * gw) / Math.sqrt(0.01) + 1e-8)
  assert.ok(Math.abs(p.layers[0]!.wq[0]! - want) < 1e-15)
  assert.ok(p.layers[0]!.attnNorm[0]! < n0 && Math.abs(p.layers[0]!.attnNorm[0]! - (n0 - 0.1 * (1 - 1e-8 / 0.8))) < 1e-6, 'norms are not decayed')
  assert.equal(p.layers[0]!.wq[1], p.layers[0]!.wq[1], 'untouched entries only decay')
})

function tinyExamples(): Example[] {
  return Array.from({ length: 10 }, (_, k) => {
    const tokens = [256, ...Array.from({ length: 12 }, (_, i) => (i * 11 + k * 3) % 256), 257]
    return { tokens, loss: tokens.slice(1).map(() => true) }
  })
}

test('replay: two runs of 6 steps from the same seed give identical weights bytes; the loss on the data goes down', () => {
  const c = parseConfig(SMALL)
  const all = makeBatch(tinyExamples())
  const run = () => {
    const p = fromWeights(randomWeights(c, 5))
    const before = lossAndGrad(p, c, all, 0, null).ce
    const t = new Trainer(c, p, tinyExamples(), { ...TRAIN_DEFAULTS, batchSize: 3, steps: 6, warmup: 1, adamw: { ...TRAIN_DEFAULTS.adamw, lr: 0.01 } })
    const losses = [0, 1, 2, 3, 4, 5].map(() => t.next().ce)
    const after = lossAndGrad(p, c, all, 0, null).ce
    return { bytes: Buffer.from(modelFilesF16(SMALL, p).safetensors), f64: Buffer.concat(namedTensors(p).map((x) => Buffer.from(x.data.buffer))), losses, before, after }
  }
  const a = run(), b = run()
  assert.ok(a.f64.equals(b.f64), 'binary64 parameters identical')
  assert.ok(a.bytes.equals(b.bytes), 'F16 files identical')
  assert.deepEqual(a.losses, b.losses)
  assert.ok(a.after < a.before - 0.5, `loss ${a.before} → ${a.after}`)
})

test('F16 checkpoint: round to nearest even from binary64, subnormals, overflow; loads back as the rounded values', () => {
  for (const [v, bits] of [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65520, 0x7c00], [2 ** -24, 0x0001], [2 ** -25, 0], [3 * 2 ** -25, 0x0002], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [0.1, 0x2e66]] as const) {
    assert.equal(f16Bits(v), bits, `f16(${v})`)
  }
  const r = (s: number) => { let x = s; return () => { x = (x * 1103515245 + 12345) % 2 ** 31; return x / 2 ** 31 } }
  const rand = r(9)
  for (let i = 0; i < 2000; i++) {
    const v = (rand() - 0.5) * 2 ** Math.floor(rand() * 30 - 20)
    const back = f16ToNumber(f16Bits(v))
    const ulp = Math.abs(v) < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 10)
    assert.ok(Math.abs(back - v) <= ulp / 2 + 1e-30, `${v} → ${back}`)
  }
  const c = parseConfig(SMALL)
  const p = fromWeights(randomWeights(c, 2))
  const files = modelFilesF16(SMALL, p)
  assert.equal(files.safetensors.length > 0, true)
  assert.equal(toWeights(p).embed[0], Math.fround(p.embed[0]!))
})
