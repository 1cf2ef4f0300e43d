/**
 * TuningRecord (spec §4.12, specs/tune-v1.md): a site's signed statement that it fine-tuned the model of `parent` on
 * the approved alignment bundles `bundles` and obtained `weights_root`, with the root of the local hash-chained
 * ledger that records every datum and step. Hashes and links only: no item ID, content or content hash (tune-v1 §6).
 */
import type { CID } from 'multiformats/cid'
import type { CborMap, CborValue } from '../cbor.ts'
import { MAX_TUNING_BUNDLES } from '../constants.ts'
import { bytes, fields, link, list, malformed, text, uint } from './schema.ts'

export interface TuningRecordBody {
  /** The ModelCommitment tuned from. */
  parent: CID
  /** The tuned weights (spec §4.6). */
  weights_root: Uint8Array
  /** Root of the tuning ledger (tune-v1 §2). */
  ledger_root: Uint8Array
  /** The AlignmentBundle manifests trained on, in the order used; unique. */
  bundles: CID[]
  data_count: number
  steps: number
  /** e.g. 'aip-ts-f64/1' (tune-v1 §3). */
  trainer: string
  /** Whether `aip tune verify` can replay the ledger bit for bit (tune-v1 §3). */
  replayable: boolean
}

export function parseTuningRecord(m: CborMap): TuningRecordBody {
  fields(m, 'TuningRecord', ['parent', 'weights_root', 'ledger_root', 'bundles', 'data_count', 'steps', 'trainer', 'replayable'])
  const bundles = list(m.bundles, 'bundles', 1, MAX_TUNING_BUNDLES, (x, n) => link(x, n)).map((x, i) => link(x as unknown as CborValue, `bundles[${i}]`))
  if (new Set(bundles.map((b) => b.toString())).size !== bundles.length) malformed('bundles', 'duplicate link')
  if (typeof m.replayable !== 'boolean') malformed('replayable', 'expected a boolean')
  return {
    parent: link(m.parent, 'parent'),
    weights_root: bytes(m.weights_root, 'weights_root', 32),
    ledger_root: bytes(m.ledger_root, 'ledger_root', 32),
    bundles,
    data_count: uint(m.data_count, 'data_count'),
    steps: uint(m.steps, 'steps'),
    trainer: text(m.trainer, 'trainer'),
    replayable: m.replayable,
  }
}
