/**
 * ModelCommitment (spec §4.6): binds a model's identity to its weights without carrying them. `weights_root` is the
 * RFC 9162 Merkle Tree Hash over one leaf per tensor (protocol/merkle.ts weightsLeaf), tensors ordered by name
 * bytewise across all shards; `config_sha256` is SHA-256 of config.json. Fractional architecture values are
 * decimal text.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap } from '../cbor.ts'
import { MAX_ARCHITECTURE_FIELDS } from '../constants.ts'
import type { ParamValue } from './schema.ts'
import { bytes, fields, link, malformed, params, text, uint } from './schema.ts'

export interface ModelCommitmentBody {
  name: string
  weights_root: Uint8Array
  config_sha256: Uint8Array
  /** e.g. { family: 'mixtral-lasa', hidden_size: 64, num_local_experts: 16, rms_norm_eps: '1e-5', … } */
  architecture: Record<string, ParamValue>
  params_total: number
  params_active_per_token: number
  /** The commitment this model was fine-tuned from (SovereignTune). */
  parent?: CID
  /** Root of the training ledger that produced this state from `parent`. */
  ledger_root?: Uint8Array
  /** The TuningRecord that signs that ledger's root (specs/tune-v1.md T6); only with `parent` and `ledger_root`. */
  tuning?: CID
}

export function parseModelCommitment(m: CborMap): ModelCommitmentBody {
  fields(m, 'ModelCommitment', ['name', 'weights_root', 'config_sha256', 'architecture', 'params_total', 'params_active_per_token'], ['parent', 'ledger_root', 'tuning'])
  const architecture = params(m.architecture, 'architecture', ['family'], MAX_ARCHITECTURE_FIELDS)
  if (typeof architecture.family !== 'string' || architecture.family === '') malformed('architecture.family', 'expected text')
  const body: ModelCommitmentBody = {
    name: text(m.name, 'name'),
    weights_root: bytes(m.weights_root, 'weights_root', 32),
    config_sha256: bytes(m.config_sha256, 'config_sha256', 32),
    architecture,
    params_total: uint(m.params_total, 'params_total'),
    params_active_per_token: uint(m.params_active_per_token, 'params_active_per_token'),
  }
  if (body.params_active_per_token > body.params_total) malformed('params_active_per_token', 'exceeds params_total')
  if (m.parent !== undefined) body.parent = link(m.parent, 'parent')
  if (m.ledger_root !== undefined) body.ledger_root = bytes(m.ledger_root, 'ledger_root', 32)
  if (m.tuning !== undefined) {
    if (body.parent === undefined || body.ledger_root === undefined) malformed('tuning', 'only with parent and ledger_root')
    body.tuning = link(m.tuning, 'tuning')
  }
  return body
}
