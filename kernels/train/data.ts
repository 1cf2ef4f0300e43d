/**
 * Deterministic data order (specs/lasa.md §12): epoch e visits the examples in the Fisher–Yates permutation drawn
 * from mulberry32(seed + e), and a batch is the next `batchSize` examples of that order.
 */
import { mulberry32 } from '../random.ts'
import type { Batch } from './model.ts'

/** A permutation of 0 … n−1 from mulberry32(seed): for i = n−1 … 1, swap i with ⌊rand·(i+1)⌋. */
export function permutation(n: number, seed: number): Int32Array {
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  const rand = mulberry32(seed)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  return order
}

/** The example indices of batch `step` (0-based): epochs follow each other; an epoch's last batch may be short. */
export function batchIndices(n: number, batchSize: number, seed: number, step: number): number[] {
  const perEpoch = Math.ceil(n / batchSize)
  const epoch = Math.floor(step / perEpoch)
  const first = (step % perEpoch) * batchSize
  const order = permutation(n, (seed + epoch) >>> 0)
  return Array.from(order.subarray(first, Math.min(n, first + batchSize)))
}

/** One training example: token ids and, per position, whether predicting the NEXT token counts in the loss. */
export interface Example {
  tokens: number[]
  loss: boolean[] // loss[i]: the prediction of tokens[i + 1] from position i counts (length tokens.length − 1)
}

/** Lays the examples end to end: row i predicts tokens[i + 1] when loss[i], else −1. */
export function makeBatch(examples: readonly Example[]): Batch {
  let n = 0
  for (const e of examples) n += e.tokens.length
  const tokens = new Int32Array(n), targets = new Int32Array(n).fill(-1)
  const starts: number[] = []
  let r = 0
  for (const e of examples) {
    starts.push(r)
    for (let i = 0; i < e.tokens.length; i++) {
      tokens[r + i] = e.tokens[i]!
      if (i + 1 < e.tokens.length && e.loss[i] === true) targets[r + i] = e.tokens[i + 1]!
    }
    r += e.tokens.length
  }
  starts.push(n)
  return { tokens, targets, starts }
}
