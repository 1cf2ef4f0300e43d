/**
 * Fuzz target for the tuning ledger reader (node/tune/ledger.ts parseLedger, specs/tune-v1.md §2 L1–L2): mutations of
 * a well-formed ledger and random bytes. Oracle: the reader either throws a TuneError with code TUNE_LEDGER_MALFORMED
 * or TUNE_LEDGER_BROKEN, or accepts a ledger whose entries re-chain to the same bytes and whose root is the hash of
 * its last entry (so an accepted ledger is exactly what a writer would produce).
 */
import type { CborMap } from '../../../protocol/index.ts'
import { decodeCanonical } from '../../../protocol/index.ts'
import { TuneError } from '../../../node/tune/errors.ts'
import { Chain, optionsMap, parseLedger, sha256 } from '../../../node/tune/ledger.ts'
import { mutated } from '../corpus.ts'
import type { FuzzTarget, Verdict } from '../harness.ts'

function seed(steps: number, every: number): Uint8Array {
  const c = new Chain()
  c.push({ kind: 'run', version: 1, parent: 'bafkreiparent', parent_weights_root: sha256('p'), trainer: 'aip-ts-f64/1', data: 2, checkpoint_every: every,
    options: optionsMap({ seed: 1, batch: 2, steps, warmup: 0, lr: 0.001, maxGradNorm: 1, auxCoef: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }) })
  c.push({ kind: 'datum', index: 0, bundle: 'bafkreibundle', item: 'a', sha256: sha256('a') })
  c.push({ kind: 'datum', index: 1, bundle: 'bafkreibundle', item: 'b', sha256: sha256('b') })
  for (let s = 1; s <= steps; s++) {
    c.push({ kind: 'step', step: s, seed: 1, batch: [s % 2, (s + 1) % 2], lr: '0.001', loss: '5.5', grad_norm: '2.25' })
    if (s % every === 0 || s === steps) c.push({ kind: 'checkpoint', step: s, weights_root: sha256(`w${s}`) })
  }
  return c.bytes()
}

/** An external run's ledger (§1.1 X8): run, data, one external entry. */
function externalSeed(): Uint8Array {
  const c = new Chain()
  c.push({ kind: 'run', version: 1, parent: 'bafkreiparent', parent_weights_root: sha256('p'), trainer: 'external', data: 1, checkpoint_every: 0,
    options: optionsMap({ seed: 1, batch: 2, steps: 4, warmup: 0, lr: 0.001, maxGradNorm: 1, auxCoef: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }) })
  c.push({ kind: 'datum', index: 0, bundle: 'bafkreibundle', item: 'a', sha256: sha256('a') })
  c.push({ kind: 'external', argv: ['/bin/sh', '-c', 'train', 'aip-tune', '/m.json'], dir: 'external/1-0a0b0c0d', manifest_sha256: sha256('m'),
    inputs: [{ name: 'parent/model.safetensors', sha256: sha256('p') }], log_sha256: sha256('l'), output_sha256: sha256('o'), weights_root: sha256('w'), exit_code: 0, wall_ms: 5 })
  return c.bytes()
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0

export const tuneLedgerTarget: FuzzTarget = {
  name: 'tune-ledger',
  arbitrary: mutated([seed(1, 1), seed(3, 2), seed(4, 10), externalSeed()], 256),
  show: (b) => Buffer.from(b).toString('hex'),
  run(bytes): Verdict {
    let l
    try {
      l = parseLedger(bytes)
    } catch (err) {
      if (err instanceof TuneError && (err.code === 'TUNE_LEDGER_MALFORMED' || err.code === 'TUNE_LEDGER_BROKEN')) return 'rejected'
      return { fail: 'crash', reason: `parseLedger threw ${(err as Error).name}: ${(err as Error).message}` }
    }
    const c = new Chain()
    for (const e of l.entries) {
      const { prev: _prev, ...rest } = decodeCanonical(e.bytes) as CborMap
      c.push(rest)
    }
    if (!same(c.bytes(), bytes)) return { fail: 'crash', reason: 'an accepted ledger does not re-chain to its own bytes' }
    if (!same(c.root, l.root) || !same(l.root, sha256(l.entries.at(-1)!.bytes))) return { fail: 'crash', reason: 'root is not the hash of the last entry' }
    return 'accepted'
  },
}
