/**
 * One tuning run on the TS reference trainer (specs/tune-v1.md T5, §2): from the parent's weights (exact in binary64),
 * over the data in order, writing the ledger as it goes — run, datum entries, one step entry per step and a
 * checkpoint root every `checkpointEvery` steps and after the last. `expect` (a ledger being verified) is compared
 * entry by entry as the replay produces it, so a replay stops at the first entry that differs (§3 step 4).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUNDLED_CONFIG_JSON, expectedTensors, fromWeights, loadModel, LoraTrainer, paramSlot, parseConfig, Trainer, TRAIN_DEFAULTS } from '../../kernels/index.ts'
import type { Example, TrainOptions } from '../../kernels/index.ts'
import type { CborMap } from '../../protocol/index.ts'
import { TUNE_TRAINER } from './constants.ts'
import { TuneError } from './errors.ts'
import { Chain, decimal, hex, optionsMap, sha256 } from './ledger.ts'
import type { ChainEntry, LedgerOptions } from './ledger.ts'
import { adapterFiles, adapterRoot } from './lora.ts'
import { rootOfTensors } from './states.ts'
import type { Tensor } from './states.ts'

export interface RunDatum {
  bundle: string
  item: string
  sha256: Uint8Array
  example: Example
}

export interface RunInput {
  parent: { id: string; weightsRoot: Uint8Array }
  /** The parent's model directory (config.json + model.safetensors). */
  modelDir: string
  data: readonly RunDatum[]
  options: LedgerOptions
  checkpointEvery: number
  /** A ledger to reproduce: every produced entry must equal it byte for byte. */
  expect?: readonly ChainEntry[]
  onStep?: (step: number, loss: number) => void
}

export interface RunOutput {
  chain: Chain
  config: string
  tensors: Tensor[]
  weightsRoot: Uint8Array
  /** T7: a LoRA run's adapter after the last step (F64 tensors) and its root. */
  adapter?: { tensors: Tensor[]; root: Uint8Array }
}

/** The F32 tensors of binary64 parameters (round to nearest-even), in the bundled tensor order. */
function f32Tensors(configJson: Record<string, unknown>, params: ReturnType<typeof fromWeights>): Tensor[] {
  return expectedTensors(parseConfig(configJson)).map((s) => {
    const f = Float32Array.from(paramSlot(params, s))
    return { name: s.name, dtype: 'F32', shape: s.shape, data: new Uint8Array(f.buffer) }
  })
}

const rootOf = (tensors: Tensor[]) => rootOfTensors(tensors.map((t) => ({ ...t, sha256: sha256(t.data) })))

export function trainOptions(o: LedgerOptions): TrainOptions {
  return {
    ...TRAIN_DEFAULTS, seed: o.seed, batchSize: o.batch, steps: o.steps, warmup: o.warmup, maxGradNorm: o.maxGradNorm, auxCoef: o.auxCoef, microBatch: Infinity,
    adamw: { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay },
  }
}

/** The child's config.json: the parent's, marked trained and F32. */
export function childConfig(parentConfigText: string): string {
  let json: Record<string, unknown>
  try {
    json = JSON.parse(parentConfigText) as Record<string, unknown>
  } catch {
    json = { ...BUNDLED_CONFIG_JSON }
  }
  return JSON.stringify({ ...json, aip_untrained: false, torch_dtype: 'float32' }, null, 2) + '\n'
}

export function runTuning(input: RunInput): RunOutput {
  const model = loadModel(input.modelDir)
  const params = fromWeights(model.weights)
  const chain = new Chain()
  let n = 0
  const push = (fields: CborMap, what: string) => {
    const bytes = chain.push(fields)
    const want = input.expect?.[n]
    if (input.expect !== undefined && (want === undefined || Buffer.compare(want.bytes, bytes) !== 0)) {
      throw new TuneError('TUNE_REPLAY_MISMATCH', `the replay differs from the ledger at entry ${n} (${what})`)
    }
    n++
  }
  push({ kind: 'run', version: 1, parent: input.parent.id, parent_weights_root: input.parent.weightsRoot, trainer: TUNE_TRAINER, options: optionsMap(input.options), data: input.data.length, checkpoint_every: input.checkpointEvery }, 'run')
  input.data.forEach((d, index) => push({ kind: 'datum', index, bundle: d.bundle, item: d.item, sha256: d.sha256 }, `datum ${index}`))
  const configText = childConfig(readFileSync(join(input.modelDir, 'config.json'), 'utf8'))
  const configJson = JSON.parse(configText) as Record<string, unknown>
  const examples = input.data.map((d) => d.example)
  const lora = input.options.lora
  // T7: a LoRA run trains A and B only; trainer.params are then the merged weights W + s·B·A (binary64)
  const trainer = lora === undefined ? new Trainer(model.config, params, examples, trainOptions(input.options)) : new LoraTrainer(model.config, params, examples, trainOptions(input.options), lora)
  let tensors: Tensor[] = []
  let root: Uint8Array = new Uint8Array(32)
  let adapter: RunOutput['adapter']
  for (let s = 1; s <= input.options.steps; s++) {
    const r = trainer.next()
    input.onStep?.(r.step, r.loss)
    push({ kind: 'step', step: r.step, seed: input.options.seed, batch: r.examples, lr: decimal(r.lr), loss: decimal(r.loss), grad_norm: decimal(r.gradNorm) }, `step ${r.step}`)
    if (s % input.checkpointEvery === 0 || s === input.options.steps) {
      tensors = f32Tensors(configJson, trainer.params)
      root = rootOf(tensors)
      if (trainer instanceof LoraTrainer) {
        const files = adapterFiles(trainer.adapters, trainer.lora.rank)
        adapter = { tensors: files, root: adapterRoot(files) }
      }
      push({ kind: 'checkpoint', step: s, weights_root: root, ...(adapter === undefined ? {} : { adapter_root: adapter.root }) }, `checkpoint after step ${s} (weights root ${hex(root)})`)
    }
  }
  if (input.expect !== undefined && n !== input.expect.length) throw new TuneError('TUNE_REPLAY_MISMATCH', `the ledger has ${input.expect.length} entries, the replay ${n}`)
  return { chain, config: configText, tensors, weightsRoot: root, ...(adapter === undefined ? {} : { adapter }) }
}
