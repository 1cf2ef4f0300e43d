/**
 * The training loop of the TS reference (specs/lasa.md §12): batch from the seeded order → loss and gradient →
 * global-norm clipping → AdamW at the scheduled learning rate. Pure: no clock, no I/O; the caller logs each
 * StepRecord (the ledger of a run).
 */
import type { Config } from '../config.ts'
import { ADAMW_DEFAULTS, adamwInit, adamwStep, clipGradients, type AdamWOptions, type AdamWState } from './adamw.ts'
import { batchIndices, makeBatch, type Example } from './data.ts'
import { lossAndGrad, type LossResult, type WeightGrads } from './model.ts'
import { namedTensors, zerosLike, type Params } from './params.ts'
import type { GradientPool, MicroTask } from './pool.ts'

export interface TrainOptions {
  seed: number // data order
  batchSize: number // examples per step
  steps: number // total steps (the schedule's length)
  warmup: number // steps of linear warm-up from 0
  maxGradNorm: number // global-norm clipping threshold (Infinity: none)
  auxCoef: number // load-balancing coefficient (Mixtral's router_aux_loss_coef is 0.001)
  microBatch: number // examples per micro-batch (≥ batchSize: one micro-batch, the plain objective)
  adamw: AdamWOptions // adamw.lr is the peak learning rate
}

export const TRAIN_DEFAULTS: TrainOptions = { seed: 1, batchSize: 8, steps: 100, warmup: 10, maxGradNorm: 1, auxCoef: 0.001, microBatch: Infinity, adamw: ADAMW_DEFAULTS }

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

/** A step's batch (datum indices), its micro-batch tasks and its input tokens. */
export interface StepPlan {
  indices: number[]
  tasks: MicroTask[]
  tokens: number
}

/**
 * The micro-batches of step `step` (0-based; specs/lasa.md §12.3): `microBatch` examples each, in batch order,
 * weighted so that their gradients sum to the gradient of mean cross-entropy over the whole batch's targets plus
 * auxCoef · Σ_m aux_m · rows_m / rows (the load-balancing loss of each micro-batch, weighted by its rows).
 */
export function planStep(examples: readonly Example[], o: TrainOptions, step: number): StepPlan {
  const indices = batchIndices(examples.length, o.batchSize, o.seed, step)
  const size = Math.min(o.microBatch, indices.length)
  const batches = []
  for (let s = 0; s < indices.length; s += size) batches.push(makeBatch(indices.slice(s, s + size).map((i) => examples[i]!)))
  let targets = 0, rows = 0
  for (const b of batches) { rows += b.tokens.length; for (const t of b.targets) if (t >= 0) targets++ }
  const single = batches.length === 1
  const tasks = batches.map((batch) => ({ batch, scales: { ce: targets === 0 ? 0 : 1 / targets, aux: single ? 1 : batch.tokens.length / rows } }))
  return { indices, tasks, tokens: rows }
}

/**
 * The step's gradient — each micro-batch's gradient (from zero) summed into the first, tensor by tensor, element by
 * element, in micro-batch order — and its cross-entropy and auxiliary loss.
 */
export function sumParts(parts: Array<{ grads: Params; result: LossResult }>, tasks: readonly MicroTask[]): { grads: Params; ce: number; aux: number } {
  const grads = parts[0]!.grads
  const sum = namedTensors(grads)
  for (const part of parts.slice(1)) {
    const add = namedTensors(part.grads)
    for (let t = 0; t < sum.length; t++) for (let i = 0; i < sum[t]!.data.length; i++) sum[t]!.data[i] += add[t]!.data[i]!
  }
  let ce = 0, aux = 0
  parts.forEach((p, m) => {
    ce += p.result.ce * p.result.targets * tasks[m]!.scales.ce
    aux += p.result.aux * tasks[m]!.scales.aux
  })
  return { grads, ce, aux }
}

/** Each task's gradient (from zero) and loss under `params`, on this thread, in task order. */
export function computeParts(params: Params, config: Config, tasks: readonly MicroTask[], auxCoef: number, weights: WeightGrads = 'all'): Array<{ grads: Params; result: LossResult }> {
  return tasks.map((t) => {
    const grads = zerosLike(params)
    return { grads, result: lossAndGrad(params, config, t.batch, auxCoef, grads, t.scales, weights) }
  })
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

  /** Clips, steps AdamW and returns the ledger record, given each micro-batch's gradient (from zero) in order. */
  private apply(plan: StepPlan, parts: Array<{ grads: Params; result: LossResult }>): StepRecord {
    const o = this.options
    const { grads, ce, aux } = sumParts(parts, plan.tasks)
    const gradNorm = clipGradients(grads, o.maxGradNorm)
    this.step++
    const lr = learningRate(this.step, o)
    adamwStep(this.params, grads, this.opt, o.adamw, lr)
    return { step: this.step, examples: plan.indices, tokens: plan.tokens, lr, loss: ce + o.auxCoef * aux, ce, aux, gradNorm }
  }

  /** Runs one step on this thread; returns its ledger record. */
  next(): StepRecord {
    const plan = planStep(this.examples, this.options, this.step)
    return this.apply(plan, computeParts(this.params, this.config, plan.tasks, this.options.auxCoef))
  }

  /** Runs one step with the micro-batches spread over `pool` (bit-identical to next()). */
  async nextParallel(pool: GradientPool): Promise<StepRecord> {
    const plan = planStep(this.examples, this.options, this.step)
    return this.apply(plan, await pool.run(plan.tasks))
  }
}
