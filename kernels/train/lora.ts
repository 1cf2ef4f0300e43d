/**
 * Low-rank adaptation (Hu et al. 2021, "LoRA") on the TS reference trainer (specs/lasa.md §12.5): each target
 * matrix W (out, in) of every layer is frozen and trained as W_eff = W + s·B·A, with A (r, in), B (out, r) and
 * s = alpha / r. Only A and B are trainable; AdamW's moments exist for them alone.
 *
 * Reference method: the model's gradient with respect to W_eff is computed by the existing kernels (lossAndGrad
 * on the effective parameters, skipping the MoE's and lm_head's weight gradients, which nothing uses), then projected: dB = s·(G·Aᵀ), dA = s·(Bᵀ·G) — every sum in a fixed order
 * (linear.ts), so a run replays bit for bit and a worker pool equals one thread.
 */
import type { Config } from '../config.ts'
import { mulberry32 } from '../random.ts'
import { adamwUpdate, clipTensors, type AdamWCounters } from './adamw.ts'
import type { Example } from './data.ts'
import { mm, transpose } from './linear.ts'
import type { LossResult } from './model.ts'
import type { NamedTensor, Params } from './params.ts'
import type { GradientPool } from './pool.ts'
import { computeParts, learningRate, planStep, sumParts, type StepPlan, type StepRecord, type TrainOptions } from './trainer.ts'

/** §12.5: the largest rank. */
export const LORA_MAX_RANK = 64

/** §12.5: the matrices that can carry an adapter, in canonical order (PEFT's module names → layer fields). */
export const LORA_TARGETS = { q_proj: 'wq', k_proj: 'wk', v_proj: 'wv', o_proj: 'wo' } as const
export type LoraTarget = keyof typeof LORA_TARGETS
export const LORA_DEFAULT_TARGETS: readonly LoraTarget[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj']

export interface LoraOptions {
  rank: number // r, 1..LORA_MAX_RANK
  alpha: number // s = alpha / r (default alpha = r: s = 1)
  targets: readonly LoraTarget[] // a non-empty subset of LORA_TARGETS in canonical order
  seed: number // uint32: the stream A is drawn from
}

/** One adapter: A (r, in) and B (out, r) of the matrix `name` (`model.layers.L.self_attn.X_proj`). */
export interface Adapter {
  name: string
  layer: number
  field: (typeof LORA_TARGETS)[LoraTarget]
  out: number
  in: number
  A: Float64Array // (r, in)
  B: Float64Array // (out, r)
}

/** RangeError unless the options are valid (rank an integer 1..64, alpha finite > 0, targets canonical). */
export function checkLoraOptions(o: LoraOptions): void {
  if (!Number.isSafeInteger(o.rank) || o.rank < 1 || o.rank > LORA_MAX_RANK) throw new RangeError(`LoRA rank must be an integer 1..${LORA_MAX_RANK}`)
  if (!Number.isFinite(o.alpha) || o.alpha <= 0) throw new RangeError('LoRA alpha must be a finite number > 0')
  const order = Object.keys(LORA_TARGETS)
  const at = o.targets.map((t) => order.indexOf(t))
  if (at.length === 0 || at.some((i, k) => i < 0 || (k > 0 && i <= at[k - 1]!))) throw new RangeError(`LoRA targets must be distinct, in the order ${order.join(', ')}`)
  if (!Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw new RangeError('LoRA seed must be a uint32')
}

/**
 * The initial adapters: layer by layer, targets in canonical order; A drawn from one mulberry32(seed) stream in that
 * order, row-major, as PEFT's kaiming_uniform_(a = √5): A = (2u − 1)/√in, i.e. U(−1/√in, 1/√in); B = 0.
 */
export function loraInit(c: Config, o: LoraOptions): Adapter[] {
  checkLoraOptions(o)
  const q = c.heads * c.headDim, kv = c.kvHeads * c.headDim
  const shapes: Record<LoraTarget, [number, number]> = { q_proj: [q, c.dim], k_proj: [kv, c.dim], v_proj: [kv, c.dim], o_proj: [c.dim, q] }
  const rand = mulberry32(o.seed)
  const out: Adapter[] = []
  for (let l = 0; l < c.layers; l++) {
    for (const t of o.targets) {
      const [rows, cols] = shapes[t]
      const bound = 1 / Math.sqrt(cols)
      const A = new Float64Array(o.rank * cols)
      for (let i = 0; i < A.length; i++) A[i] = bound * (2 * rand() - 1)
      out.push({ name: `model.layers.${l}.self_attn.${t}`, layer: l, field: LORA_TARGETS[t], out: rows, in: cols, A, B: new Float64Array(rows * o.rank) })
    }
  }
  return out
}

/** out (out, in) = W + s·(B·A): (B·A)[i,j] = Σ_p B[i,p]·A[p,j] in p order, then one multiply by s and one add. */
export function loraMerge(out: Float64Array, W: Float64Array, a: Adapter, r: number, s: number): void {
  const ba = new Float64Array(a.out * a.in)
  mm(ba, a.B, transpose(new Float64Array(a.in * r), a.A, r, a.in), a.out, a.in, r)
  for (let i = 0; i < ba.length; i++) out[i] = W[i]! + s * ba[i]!
}

/** Given G = dL/dW_eff (out, in): dB = s·(G·Aᵀ) (sum over j in order), dA = s·(Bᵀ·G) (sum over i in order); overwritten. */
export function loraBackward(dA: Float64Array, dB: Float64Array, G: Float64Array, a: Adapter, r: number, s: number): void {
  mm(dB, G, a.A, a.out, r, a.in)
  mm(dA, transpose(new Float64Array(r * a.out), a.B, a.out, r), transpose(new Float64Array(a.in * a.out), G, a.out, a.in), r, a.in, a.out)
  for (let i = 0; i < dB.length; i++) dB[i]! *= s
  for (let i = 0; i < dA.length; i++) dA[i]! *= s
}

/** The trainable tensors: for each adapter in order, `lora.NAME.A` then `lora.NAME.B` (the norm's and AdamW's order). */
export function adapterTensors(adapters: readonly Adapter[]): NamedTensor[] {
  return adapters.flatMap((a) => [{ name: `lora.${a.name}.A`, data: a.A, decay: true }, { name: `lora.${a.name}.B`, data: a.B, decay: true }])
}

const zeros = (ts: readonly NamedTensor[]): NamedTensor[] => ts.map((t) => ({ ...t, data: new Float64Array(t.data.length) }))

/**
 * The training loop of a LoRA run: the same data order, micro-batches, clipping, schedule and AdamW as Trainer
 * (trainer.ts), over the adapters only. `params` are the effective weights W + s·B·A (binary64), kept current after
 * every step; the tensors without an adapter are the base's own arrays (frozen, never written).
 */
export class LoraTrainer {
  readonly adapters: Adapter[]
  readonly params: Params
  readonly scale: number
  readonly opt: AdamWCounters & { m: NamedTensor[]; v: NamedTensor[] }
  step = 0
  private readonly trainable: NamedTensor[]
  private readonly frozen: Float64Array[] // W of each adapter

  constructor(
    readonly config: Config,
    base: Params,
    readonly examples: readonly Example[],
    readonly options: TrainOptions,
    readonly lora: LoraOptions,
  ) {
    if (examples.length === 0) throw new RangeError('no training examples')
    this.adapters = loraInit(config, lora)
    this.scale = lora.alpha / lora.rank
    const shared = base.embed.buffer instanceof SharedArrayBuffer
    const layers = base.layers.map((l) => ({ ...l }))
    this.frozen = this.adapters.map((a) => {
      const W = base.layers[a.layer]![a.field]
      layers[a.layer]![a.field] = shared ? new Float64Array(new SharedArrayBuffer(W.byteLength)) : new Float64Array(W.length)
      return W
    })
    this.params = { ...base, layers }
    this.trainable = adapterTensors(this.adapters)
    this.opt = { step: 0, beta1Power: 1, beta2Power: 1, m: zeros(this.trainable), v: zeros(this.trainable) }
    this.refresh()
  }

  /** Trainable parameters (Σ r·(in + out) over the adapters): the only ones with gradients and moments. */
  get trainableCount(): number {
    return this.trainable.reduce((n, t) => n + t.data.length, 0)
  }

  /** W_eff = W + s·B·A for every adapter, into `params`. */
  private refresh(): void {
    this.adapters.forEach((a, i) => loraMerge(this.params.layers[a.layer]![a.field], this.frozen[i]!, a, this.lora.rank, this.scale))
  }

  private apply(plan: StepPlan, parts: Array<{ grads: Params; result: LossResult }>): StepRecord {
    const o = this.options
    const { grads, ce, aux } = sumParts(parts, plan.tasks)
    const g = zeros(this.trainable)
    this.adapters.forEach((a, i) => loraBackward(g[2 * i]!.data, g[2 * i + 1]!.data, grads.layers[a.layer]![a.field], a, this.lora.rank, this.scale))
    const gradNorm = clipTensors(g, o.maxGradNorm)
    this.step++
    const lr = learningRate(this.step, o)
    adamwUpdate(this.trainable, g, this.opt.m, this.opt.v, this.opt, o.adamw, lr)
    this.refresh()
    return { step: this.step, examples: plan.indices, tokens: plan.tokens, lr, loss: ce + o.auxCoef * aux, ce, aux, gradNorm }
  }

  /** Runs one step on this thread; returns its ledger record. */
  next(): StepRecord {
    const plan = planStep(this.examples, this.options, this.step)
    return this.apply(plan, computeParts(this.params, this.config, plan.tasks, this.options.auxCoef, 'attention'))
  }

  /** Runs one step with the micro-batches spread over `pool` (opened on `params`, weights 'attention'; bit-identical to next()). */
  async nextParallel(pool: GradientPool): Promise<StepRecord> {
    const plan = planStep(this.examples, this.options, this.step)
    return this.apply(plan, await pool.run(plan.tasks))
  }
}
