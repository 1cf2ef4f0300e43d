/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter; PyTorch's torch.optim.AdamW update order) and
 * global-norm gradient clipping, in binary64 (specs/lasa.md §12). Tensors are visited in namedTensors order and
 * elements in index order, so the norm's sum and every update are reproducible bit for bit.
 */
import { namedTensors, zerosLike, type NamedTensor, type Params } from './params.ts'

export interface AdamWOptions {
  lr: number
  beta1: number
  beta2: number
  eps: number
  weightDecay: number // applied to matrices only (NamedTensor.decay)
}

export const ADAMW_DEFAULTS: AdamWOptions = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }

/** The step counter and bias-correction powers of an AdamW run (shared by the full and the LoRA parameterisation). */
export interface AdamWCounters {
  step: number
  beta1Power: number // beta1^step, by repeated multiplication (no pow)
  beta2Power: number
}

export interface AdamWState extends AdamWCounters {
  m: Params
  v: Params
}

export function adamwInit(p: Params): AdamWState {
  return { step: 0, m: zerosLike(p), v: zerosLike(p), beta1Power: 1, beta2Power: 1 }
}

/** √(Σ g²) over every tensor in namedTensors order, elements in order. */
export function globalNorm(g: Params): number {
  return normOf(namedTensors(g))
}

/** √(Σ g²) over the tensors in list order, elements in index order. */
export function normOf(ts: readonly NamedTensor[]): number {
  let ss = 0
  for (const t of ts) for (let i = 0; i < t.data.length; i++) ss += t.data[i]! * t.data[i]!
  return Math.sqrt(ss)
}

/** Scales g in place so that its global norm is at most maxNorm (factor maxNorm / (norm + 1e-6), as PyTorch). Returns the norm before clipping. */
export function clipGradients(g: Params, maxNorm: number): number {
  return clipTensors(namedTensors(g), maxNorm)
}

/** clipGradients over a list of tensors (in list order). */
export function clipTensors(ts: readonly NamedTensor[], maxNorm: number): number {
  const norm = normOf(ts)
  if (norm > maxNorm) {
    const f = maxNorm / (norm + 1e-6)
    for (const t of ts) for (let i = 0; i < t.data.length; i++) t.data[i]! *= f
  }
  return norm
}

/**
 * One AdamW step at learning rate `lr`:
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 */
export function adamwStep(p: Params, g: Params, s: AdamWState, o: AdamWOptions, lr = o.lr): void {
  adamwUpdate(namedTensors(p), namedTensors(g), namedTensors(s.m), namedTensors(s.v), s, o, lr)
}

/** adamwStep over parallel lists of parameters, gradients and moments (tensors in list order, elements in order). */
export function adamwUpdate(ps: readonly NamedTensor[], gs: readonly NamedTensor[], ms: readonly NamedTensor[], vs: readonly NamedTensor[], s: AdamWCounters, o: AdamWOptions, lr = o.lr): void {
  s.step++
  s.beta1Power *= o.beta1
  s.beta2Power *= o.beta2
  const stepSize = lr / (1 - s.beta1Power)
  const bc2 = Math.sqrt(1 - s.beta2Power)
  for (let t = 0; t < ps.length; t++) {
    const w = ps[t]!.data, gr = gs[t]!.data, m = ms[t]!.data, v = vs[t]!.data
    const decay = ps[t]!.decay ? 1 - lr * o.weightDecay : 1
    for (let i = 0; i < w.length; i++) {
      const gi = gr[i]!
      m[i] = o.beta1 * m[i]! + (1 - o.beta1) * gi
      v[i] = o.beta2 * v[i]! + (1 - o.beta2) * gi * gi
      w[i] = w[i]! * decay - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2 + o.eps)
    }
  }
}
