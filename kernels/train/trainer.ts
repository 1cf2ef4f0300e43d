/**
 * The training loop of the TS reference (specs/lasa.md §12): batch from the seeded order → loss and gradient →
 * global-norm clipping → AdamW at the scheduled learning rate. Pure: no clock, no I/O; the caller logs each
 * StepRecord (the ledger of a run).
 */
import type { Config } from '../config.ts'
import { ADAMW_DEFAULTS, adamwInit, adamwStep, clipGradients, type AdamWOptions, type AdamWState } from './adamw.ts'
import { batchIndices, makeBatch, type Example } from './data.ts'
import { lossAndGrad } from './model.ts'
import { zerosLike, type Params } from './params.ts'

export interface TrainOptions {
  seed: number // data order
  batchSize: number // examples per step
  steps: number // total steps (the schedule's length)
  warmup: number // steps of linear warm-up from 0
  maxGradNorm: number // global-norm clipping threshold (Infinity: none)
  auxCoef: number // load-balancing coefficient (Mixtral's router_aux_loss_coef: 0.001... configurable)
  adamw: AdamWOptions // adamw.lr is the peak learning rate
}

export const TRAIN_DEFAULTS: TrainOptions = { seed: 1, batchSize: 8, steps: 100, warmup: 10, maxGradNorm: 1, auxCoef: 0.01, adamw: ADAMW_DEFAULTS }

/** One line of a run's ledger. */
export interface StepRecord {
  step: number // 1-based
  examples: number[] // indices into the example list
  tokens: number // input tokens in the batch
  lr: number
  loss: number
  ce: number
  aux: number
  gradNorm: number // before clipping
}

/** Linear warm-up to the peak, then linear decay to 10 % of it at the last step (no transcendental functions). */
export function learningRate(step: number, o: TrainOptions): number {
  const peak = o.adamw.lr
  if (step <= o.warmup) return (peak * step) / Math.max(1, o.warmup)
  const rest = Math.max(1, o.steps - o.warmup)
  return peak * (1 - (0.9 * (step - o.warmup)) / rest)
}

export class Trainer {
  readonly opt: AdamWState
  step = 0

  constructor(
    readonly config: Config,
    readonly params: Params,
    readonly examples: readonly Example[],
    readonly options: TrainOptions,
  ) {
    if (examples.length === 0) throw new RangeError('no training examples')
    this.opt = adamwInit(params)
  }

  /** Runs one step; returns its ledger record. */
  next(): StepRecord {
    const o = this.options
    const indices = batchIndices(this.examples.length, o.batchSize, o.seed, this.step)
    const batch = makeBatch(indices.map((i) => this.examples[i]!))
    const grads = zerosLike(this.params)
    const r = lossAndGrad(this.params, this.config, batch, o.auxCoef, grads)
    const gradNorm = clipGradients(grads, o.maxGradNorm)
    this.step++
    const lr = learningRate(this.step, o)
    adamwStep(this.params, grads, this.opt, o.adamw, lr)
    return { step: this.step, examples: indices, tokens: batch.tokens.length, lr, loss: r.loss, ce: r.ce, aux: r.aux, gradNorm }
  }
}
