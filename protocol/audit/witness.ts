/**
 * Witness rules (specs/audit-v1.md §7), pure: a witness cosigns a log's checkpoint only if it extends the last
 * checkpoint it cosigned for that origin (a verified consistency proof); two checkpoints the log signed that cannot
 * both be true are an equivocation. Time is passed in.
 */
import { rootFromConsistencyProof, MerkleProofError } from '../merkle.ts'
import type { Checkpoint } from './checkpoint.ts'

export type WitnessRefusal =
  | 'origin_mismatch' // the checkpoint is of another log
  | 'rollback' // smaller than the last cosigned size
  | 'inconsistent' // same size and another root, or the consistency proof fails

export type AdvanceResult = { ok: true } | { ok: false; code: WitnessRefusal; message: string }

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

/**
 * §7.2: may a witness whose last cosigned checkpoint of this log is `last` (undefined: none) cosign `next`, given
 * the consistency proof from last.size to next.size?
 */
export function checkAdvance(last: Checkpoint | undefined, next: Checkpoint, proof: readonly Uint8Array[]): AdvanceResult {
  if (last === undefined || last.size === 0) return { ok: true }
  if (last.origin !== next.origin) return { ok: false, code: 'origin_mismatch', message: `${next.origin} is not ${last.origin}` }
  if (next.size < last.size) return { ok: false, code: 'rollback', message: `size ${next.size} is below the cosigned ${last.size}` }
  try {
    const root = rootFromConsistencyProof(last.size, next.size, proof, last.root)
    if (!same(root, next.root)) return { ok: false, code: 'inconsistent', message: `the proof from ${last.size} leads to another root at ${next.size}` }
  } catch (err) {
    if (err instanceof MerkleProofError) return { ok: false, code: 'inconsistent', message: `no valid consistency proof from ${last.size} to ${next.size}: ${err.code}` }
    throw err
  }
  return { ok: true }
}

/**
 * §7.3: two checkpoints of one origin, both verified as signed by the log, equivocate when they have the same size
 * and different roots (proven by the two notes alone), or when `proof` — the log's consistency proof from the
 * smaller to the larger — does not verify (a log that cannot produce a valid proof has equivocated).
 */
export function equivocates(a: Checkpoint, b: Checkpoint, proof?: readonly Uint8Array[]): boolean {
  if (a.origin !== b.origin) return false
  if (a.size === b.size) return !same(a.root, b.root)
  if (proof === undefined) return false
  const [small, large] = a.size < b.size ? [a, b] : [b, a]
  return !checkAdvance(small, large, proof).ok
}
