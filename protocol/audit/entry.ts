/**
 * Audit log entries (specs/audit-v1.md §5): one deterministic CBOR map (aip-v1 §3.1) per entry — the Merkle leaf
 * data. Attribute names follow the OpenTelemetry GenAI semantic conventions where they exist (gen_ai.*), AIP's own
 * otherwise (aip.*). Prompts and outputs appear only as SHA-256 digests: content, when the operator opts in, is kept
 * outside the tree (§6) so it can be erased without changing any hash.
 */
import { decodeCanonical, encodeCanonical } from '../cbor.ts'
import type { CborMap, CborValue } from '../cbor.ts'
import { ProtocolError } from '../errors.ts'
import { bytes, fields, list, longText, oneOf, text, uint } from '../records/schema.ts'
import { MAX_ENTRY_BYTES, MAX_ENTRY_LIST } from './constants.ts'
import { AuditError } from './errors.ts'

export const ENTRY_VERSION = 1
export const ENTRY_KINDS = ['inference', 'record', 'operator', 'egress'] as const
export type EntryKind = (typeof ENTRY_KINDS)[number]

/** §5.1: gen_ai.operation.name values AIP writes (OpenTelemetry's, plus `score` for likelihood scoring). */
export const OPERATIONS = ['chat', 'text_completion', 'generate_content', 'score'] as const
/** §5.2 */
export const RECORD_DIRECTIONS = ['published', 'received', 'refused'] as const
/** §5.3 */
export const OPERATOR_ACTIONS = ['certificate', 'revocation', 'charter', 'approval', 'review', 'tuning', 'rollback', 'erasure', 'retention', 'checkpoint', 'other'] as const

export interface InferenceAttrs {
  'gen_ai.operation.name': (typeof OPERATIONS)[number]
  'gen_ai.request.model': string
  'gen_ai.usage.input_tokens': number
  'gen_ai.usage.output_tokens': number
  'gen_ai.response.finish_reasons': string[]
  /** The weights root of the model's ModelCommitment (aip-v1 §4.6). */
  'aip.model.weights_root': Uint8Array
  /** Who asked: `local:<component>` or a peer / API principal. */
  'aip.caller': string
  'aip.prompt.sha256': Uint8Array
  'aip.output.sha256': Uint8Array
  /** Present (true) when the prompt and output were captured, encrypted, outside the tree (§6). */
  'aip.content.captured'?: boolean
}

export interface RecordAttrs {
  'aip.record.id': string
  'aip.record.type': string
  'aip.record.direction': (typeof RECORD_DIRECTIONS)[number]
  'aip.record.outcome': string
}

export interface OperatorAttrs {
  'aip.operator.action': (typeof OPERATOR_ACTIONS)[number]
  'aip.operator.subject': string
  'aip.operator.detail'?: string
}

export interface EgressAttrs {
  'aip.egress.event': string
  'aip.egress.peer': string
  'aip.egress.detail'?: string
}

export type AuditEntry =
  | ({ kind: 'inference'; time: number } & InferenceAttrs)
  | ({ kind: 'record'; time: number } & RecordAttrs)
  | ({ kind: 'operator'; time: number } & OperatorAttrs)
  | ({ kind: 'egress'; time: number } & EgressAttrs)

const HEADER = ['v', 'kind', 'time'] as const
const SCHEMA: Record<EntryKind, { required: readonly string[]; optional: readonly string[] }> = {
  inference: {
    required: ['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.response.finish_reasons',
      'aip.model.weights_root', 'aip.caller', 'aip.prompt.sha256', 'aip.output.sha256'],
    optional: ['aip.content.captured'],
  },
  record: { required: ['aip.record.id', 'aip.record.type', 'aip.record.direction', 'aip.record.outcome'], optional: [] },
  operator: { required: ['aip.operator.action', 'aip.operator.subject'], optional: ['aip.operator.detail'] },
  egress: { required: ['aip.egress.event', 'aip.egress.peer'], optional: ['aip.egress.detail'] },
}

/** Encodes an entry as its leaf data; checks it the way parseEntry does, so the log never holds an unreadable entry. */
export function encodeEntry(entry: AuditEntry): Uint8Array {
  const { kind, time, ...attrs } = entry
  const map: CborMap = { v: ENTRY_VERSION, kind, time }
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) map[k] = v as CborValue
  const out = encodeCanonical(map)
  parseEntry(out)
  return out
}

/** §5: parses leaf data into an entry; throws AuditError('malformed_entry' | 'limit'). */
export function parseEntry(data: Uint8Array): AuditEntry {
  if (data.length > MAX_ENTRY_BYTES) throw new AuditError('limit', `an entry is at most ${MAX_ENTRY_BYTES} bytes`)
  try {
    const m = decodeCanonical(data, { maxDepth: 3 })
    if (typeof m !== 'object' || m === null || Array.isArray(m) || m instanceof Uint8Array || !('kind' in m)) throw new AuditError('malformed_entry', 'an entry is a map with a kind')
    const kind = oneOf(m.kind, 'kind', ENTRY_KINDS)
    const s = SCHEMA[kind]
    fields(m, 'entry', [...HEADER, ...s.required], s.optional)
    uint(m.v, 'v', ENTRY_VERSION)
    if (m.v !== ENTRY_VERSION) throw new AuditError('malformed_entry', `entry version ${String(m.v)} is not ${ENTRY_VERSION}`)
    const time = uint(m.time, 'time')
    switch (kind) {
      case 'inference': {
        const e: AuditEntry = {
          kind, time,
          'gen_ai.operation.name': oneOf(m['gen_ai.operation.name'], 'gen_ai.operation.name', OPERATIONS),
          'gen_ai.request.model': text(m['gen_ai.request.model'], 'gen_ai.request.model'),
          'gen_ai.usage.input_tokens': uint(m['gen_ai.usage.input_tokens'], 'gen_ai.usage.input_tokens'),
          'gen_ai.usage.output_tokens': uint(m['gen_ai.usage.output_tokens'], 'gen_ai.usage.output_tokens'),
          'gen_ai.response.finish_reasons': list(m['gen_ai.response.finish_reasons'], 'gen_ai.response.finish_reasons', 0, MAX_ENTRY_LIST, (x, n) => text(x, n)),
          'aip.model.weights_root': bytes(m['aip.model.weights_root'], 'aip.model.weights_root', 32),
          'aip.caller': text(m['aip.caller'], 'aip.caller'),
          'aip.prompt.sha256': bytes(m['aip.prompt.sha256'], 'aip.prompt.sha256', 32),
          'aip.output.sha256': bytes(m['aip.output.sha256'], 'aip.output.sha256', 32),
        }
        if ('aip.content.captured' in m) {
          if (m['aip.content.captured'] !== true) throw new AuditError('malformed_entry', 'aip.content.captured is true when present')
          e['aip.content.captured'] = true
        }
        return e
      }
      case 'record':
        return {
          kind, time,
          'aip.record.id': text(m['aip.record.id'], 'aip.record.id'),
          'aip.record.type': text(m['aip.record.type'], 'aip.record.type'),
          'aip.record.direction': oneOf(m['aip.record.direction'], 'aip.record.direction', RECORD_DIRECTIONS),
          'aip.record.outcome': text(m['aip.record.outcome'], 'aip.record.outcome'),
        }
      case 'operator': {
        const e: AuditEntry = {
          kind, time,
          'aip.operator.action': oneOf(m['aip.operator.action'], 'aip.operator.action', OPERATOR_ACTIONS),
          'aip.operator.subject': text(m['aip.operator.subject'], 'aip.operator.subject'),
        }
        if ('aip.operator.detail' in m) e['aip.operator.detail'] = longText(m['aip.operator.detail'], 'aip.operator.detail')
        return e
      }
      case 'egress': {
        const e: AuditEntry = {
          kind, time,
          'aip.egress.event': text(m['aip.egress.event'], 'aip.egress.event'),
          'aip.egress.peer': text(m['aip.egress.peer'], 'aip.egress.peer'),
        }
        if ('aip.egress.detail' in m) e['aip.egress.detail'] = longText(m['aip.egress.detail'], 'aip.egress.detail')
        return e
      }
    }
  } catch (err) {
    if (err instanceof AuditError) throw err
    if (err instanceof ProtocolError) throw new AuditError('malformed_entry', err.message)
    throw err
  }
}
