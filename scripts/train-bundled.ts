/**
 * Trains the bundled model (kernels/bundled.ts, from its untrained seeded weights) on the generated corpus
 * (node/train/corpus.ts) with the TS reference trainer (kernels/train/), and writes
 *   kernels/models/bundled-trained/{config.json, model.safetensors (F16), ledger.jsonl}
 * The ledger holds the run's options, the corpus and initial-weights digests, one line per step (examples used,
 * tokens, learning rate, loss, gradient norm) and the final weights' SHA-256 and suite rates. A rerun with the same
 * options (and --stop-at the ledger's last step, if it was stopped by --max-minutes) gives the same bytes.
 *
 *   node --import tsx scripts/train-bundled.ts [--steps 600] [--batch 4] [--lr 0.002] [--seed 1] [--corpus 6000]
 *     [--max-minutes 40] [--stop-at N] [--eval-every 0] [--out DIR] [--micro-batch M] [--workers W] [--init DIR]
 *     [--corpus-version 1|2|3] [--keep-evals (also keeps step-N.safetensors of every evaluation)]
 * The weights depend on --micro-batch (the objective's split), never on --workers (the pool sums in order).
 */
import '../node/polyfill.ts'
import { createHash } from 'node:crypto'
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BUNDLED_CONFIG_JSON, BUNDLED_SEED, randomWeights, parseConfig, loadModel, modelFilesF16, fromWeights, sharedCopy, GradientPool, Trainer, TRAIN_DEFAULTS } from '../kernels/index.ts'
import type { TrainOptions } from '../kernels/index.ts'
import { bundledSuite, buildCorpus, toExample, suiteRates, TRAINED_CONFIG_JSON, TRAINED_DIR } from '../node/index.ts'

const { values: a } = parseArgs({
  options: {
    steps: { type: 'string', default: '600' }, batch: { type: 'string', default: '4' }, lr: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '1' }, corpus: { type: 'string', default: '6000' }, 'max-minutes': { type: 'string', default: '40' },
    'stop-at': { type: 'string' }, 'eval-every': { type: 'string', default: '0' }, out: { type: 'string', default: TRAINED_DIR },
    'aux-coef': { type: 'string', default: '0.001' }, warmup: { type: 'string' }, workers: { type: 'string', default: '1' }, init: { type: 'string' }, 'micro-batch': { type: 'string' },
    'keep-evals': { type: 'boolean', default: false }, 'corpus-version': { type: 'string', default: '1' },
  },
})
const options: TrainOptions = {
  ...TRAIN_DEFAULTS,
  seed: Number(a.seed), batchSize: Number(a.batch), steps: Number(a.steps), warmup: a.warmup === undefined ? Math.min(30, Math.floor(Number(a.steps) / 10)) : Number(a.warmup),
  maxGradNorm: 1, auxCoef: Number(a['aux-coef']), microBatch: a['micro-batch'] === undefined ? Infinity : Number(a['micro-batch']), adamw: { ...TRAIN_DEFAULTS.adamw, lr: Number(a.lr), weightDecay: 0.01 },
}
const corpusSeed = 0x434f5250 // "CORP"
const stopAt = a['stop-at'] === undefined ? options.steps : Number(a['stop-at'])
const deadline = Date.now() + Number(a['max-minutes']) * 60_000
const evalEvery = Number(a['eval-every'])
const out = a.out!
mkdirSync(out, { recursive: true })
const ledgerPath = join(out, 'ledger.jsonl')
writeFileSync(ledgerPath, '')
const log = (o: Record<string, unknown>) => appendFileSync(ledgerPath, JSON.stringify(o) + '\n')
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex')

const config = parseConfig(BUNDLED_CONFIG_JSON)
// --init DIR continues from a model directory (a second stage; its F16/F32 values enter binary64 exactly).
const initFile = a.init === undefined ? null : readFileSync(join(a.init, 'model.safetensors'))
const initial = a.init === undefined ? randomWeights(config, BUNDLED_SEED) : loadModel(a.init).weights
const workers = Number(a.workers)
const params = workers > 1 ? sharedCopy(fromWeights(initial)) : fromWeights(initial)
const corpusVersion = Number(a['corpus-version'])
if (corpusVersion !== 1 && corpusVersion !== 2 && corpusVersion !== 3) throw new Error('--corpus-version is 1, 2 or 3')
const corpus = buildCorpus(corpusSeed, Number(a.corpus), corpusVersion)
const examples = corpus.map(toExample)
const items = bundledSuite().suite.items
log({
  kind: 'run', trainer: 'kernels/train (TS reference, binary64)', options, corpus_seed: corpusSeed, corpus_items: corpus.length, ...(corpusVersion === 1 ? {} : { corpus_version: corpusVersion }),
  corpus_sha256: sha(JSON.stringify(corpus)),
  initial: initFile === null ? `randomWeights(bundled config, ${BUNDLED_SEED})` : `model.safetensors sha256 ${sha(initFile)}`,
})
const trainer = new Trainer(config, params, examples, options)
const pool = workers > 1 ? GradientPool.open(config, params, workers, options.auxCoef) : null

async function evaluate(step: number): Promise<void> {
  const files = modelFilesF16(TRAINED_CONFIG_JSON, params)
  writeFileSync(join(out, 'config.json'), files.config)
  writeFileSync(join(out, 'model.safetensors'), files.safetensors)
  if (a['keep-evals'] === true) writeFileSync(join(out, `step-${step}.safetensors`), files.safetensors) // pick a checkpoint later
  const r = await suiteRates(loadModel(out), items, 'ort')
  const line = { kind: 'eval', step, safetensors_sha256: sha(files.safetensors), refusal: r.refusal, compliance: r.compliance }
  log(line)
  console.log(`step ${step}: refusal ${(r.refusal.rate * 100).toFixed(1)}% compliance ${(r.compliance.rate * 100).toFixed(1)}%`)
}

const t0 = Date.now()
let tokens = 0
while (trainer.step < stopAt) {
  const r = pool === null ? trainer.next() : await trainer.nextParallel(pool)
  tokens += r.tokens
  log({ kind: 'step', ...r, loss: Number(r.loss.toPrecision(8)), ce: Number(r.ce.toPrecision(8)), aux: Number(r.aux.toPrecision(8)), gradNorm: Number(r.gradNorm.toPrecision(8)), lr: Number(r.lr.toPrecision(8)) })
  if (r.step % 10 === 0) console.log(`step ${r.step}/${options.steps} loss ${r.ce.toFixed(4)} aux ${r.aux.toFixed(3)} |g| ${r.gradNorm.toFixed(3)} ${(tokens / ((Date.now() - t0) / 1000)).toFixed(0)} tok/s`)
  if (evalEvery > 0 && r.step % evalEvery === 0) await evaluate(r.step)
  if (Date.now() > deadline) {
    log({ kind: 'stopped', step: trainer.step, reason: '--max-minutes reached; replay with --stop-at ' + trainer.step })
    break
  }
}
log({ kind: 'done', steps: trainer.step, tokens, seconds: (Date.now() - t0) / 1000, workers })
await pool?.close()
await evaluate(trainer.step)
