/**
 * The committed trained bundled model (kernels/models/bundled-trained/): it loads, is labelled trained, fits the
 * repository budget, is the file its ledger names, its two training stages chain, and the first step replays exactly.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { BUNDLED_CONFIG_JSON, BUNDLED_SEED, randomWeights } from '../../../kernels/bundled.ts'
import { parseConfig } from '../../../kernels/config.ts'
import { readHeader } from '../../../kernels/loader.ts'
import { fromWeights } from '../../../kernels/train/params.ts'
import { Trainer, type TrainOptions } from '../../../kernels/train/trainer.ts'
import { buildCorpus, toExample } from '../../../node/train/corpus.ts'
import { loadTrainedBundledModel, trainedBundledModelDir } from '../../../node/train/trained.ts'

const MAX_BYTES = 16 * 1024 * 1024
const dir = trainedBundledModelDir()
const readLedger = (name: string) => readFileSync(join(dir, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
/** Stage 1 starts from the seeded untrained weights; stage 2 (ledger.jsonl) continues from stage 1's last checkpoint. */
const stage1 = readLedger('ledger-stage1.jsonl')
const ledger = readLedger('ledger.jsonl')

test('the trained bundled model loads, is F16, ≤ 16 MB, not marked untrained, and is the file its ledger evaluated', () => {
  const file = join(dir, 'model.safetensors')
  assert.ok(statSync(file).size <= MAX_BYTES, `${statSync(file).size} bytes`)
  assert.ok(readHeader(file).every((t) => t.dtype === 'F16'))
  const m = loadTrainedBundledModel()
  assert.deepEqual(m.config, parseConfig(BUNDLED_CONFIG_JSON))
  assert.equal((JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { aip_untrained: boolean }).aip_untrained, false)
  const last = ledger.filter((l) => l.kind === 'eval').at(-1)!
  assert.equal(last.safetensors_sha256, createHash('sha256').update(readFileSync(file)).digest('hex'))
  const steps = ledger.filter((l) => l.kind === 'step')
  assert.equal(steps.length, (ledger.find((l) => l.kind === 'done') as { steps: number }).steps)
  // The chain: stage 2 starts from the file stage 1 evaluated last.
  const stage1Last = stage1.filter((l) => l.kind === 'eval').at(-1)!
  assert.equal((ledger[0] as { initial: string }).initial, `model.safetensors sha256 ${stage1Last.safetensors_sha256 as string}`)
})

test('stage 1\'s first step replays exactly from the seeded weights: same examples, loss and gradient norm (TS trainer, binary64)', () => {
  const run = stage1[0] as { options: TrainOptions & { microBatch: number | null }; corpus_seed: number; corpus_items: number }
  const options: TrainOptions = { ...run.options, microBatch: run.options.microBatch ?? Infinity }
  const config = parseConfig(BUNDLED_CONFIG_JSON)
  const corpus = buildCorpus(run.corpus_seed, run.corpus_items)
  assert.equal(createHash('sha256').update(JSON.stringify(corpus)).digest('hex'), (run as unknown as { corpus_sha256: string }).corpus_sha256)
  const trainer = new Trainer(config, fromWeights(randomWeights(config, BUNDLED_SEED)), corpus.map(toExample), options)
  const r = trainer.next()
  const want = stage1.find((l) => l.kind === 'step' && l.step === 1) as { examples: number[]; tokens: number; loss: number; gradNorm: number; lr: number }
  assert.deepEqual(r.examples, want.examples)
  assert.equal(r.tokens, want.tokens)
  assert.equal(Number(r.loss.toPrecision(8)), want.loss)
  assert.equal(Number(r.gradNorm.toPrecision(8)), want.gradNorm)
  assert.equal(Number(r.lr.toPrecision(8)), want.lr)
})
