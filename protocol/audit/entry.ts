/**
 * Audit log entries (specs/audit-v1.md §5): one deterministic CBOR map (aip-v1 §3.1) per entry — the Merkle leaf
 * data. Attribute names follow the OpenTelemetry GenAI semantic conventions where they exist (gen_ai.*), AIP's own
 * otherwise (aip.*). Prompts and outputs appear only as SHA-256 digests: content, when the operator opts in, is kept
 * outside the tree (§6) so it can be erased without changing any hash.
 */
import { compareKeys, decodeCanonical, encodeCanonical } from '../cbor.ts'
import { MAX_LONG_TEXT_BYTES, MAX_SHORT_TEXT_BYTES } from '../constants.ts'
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

type FieldType = 'uint' | 'text' | 'long_text' | 'bytes32' | 'text_list' | 'true' | readonly string[]

/** Every attribute's value type (§5), used by the encoder to check before writing. */
const FIELD_TYPES: Record<string, FieldType> = {
  v: 'uint', kind: ENTRY_KINDS, time: 'uint',
  'gen_ai.operation.name': OPERATIONS, 'gen_ai.request.model': 'text', 'gen_ai.usage.input_tokens': 'uint', 'gen_ai.usage.output_tokens': 'uint',
  'gen_ai.response.finish_reasons': 'text_list', 'aip.model.weights_root': 'bytes32', 'aip.caller': 'text', 'aip.prompt.sha256': 'bytes32',
  'aip.output.sha256': 'bytes32', 'aip.content.captured': 'true',
  'aip.record.id': 'text', 'aip.record.type': 'text', 'aip.record.direction': RECORD_DIRECTIONS, 'aip.record.outcome': 'text',
  'aip.operator.action': OPERATOR_ACTIONS, 'aip.operator.subject': 'text', 'aip.operator.detail': 'long_text',
  'aip.egress.event': 'text', 'aip.egress.peer': 'text', 'aip.egress.detail': 'long_text',
}

/** Per kind, every key it may hold as [key, encoded CBOR text head + key bytes], in deterministic order (aip-v1 §3.1). */
const KEY_ORDER = Object.fromEntries(ENTRY_KINDS.map((kind) => {
  const keys = [...HEADER, ...SCHEMA[kind].required, ...SCHEMA[kind].optional]
  const enc = keys.map((k) => [k, encodeCanonical(k)] as const)
  enc.sort((a, b) => compareKeys(a[1], b[1]))
  return [kind, enc]
})) as Record<EntryKind, (readonly [string, Uint8Array])[]>

const utf8 = new TextEncoder()
const bad = (key: string, why: string): never => {
  throw new AuditError('malformed_entry', `${key}: ${why}`)
}

/** Appends the CBOR head of major type `major` with argument `n` (shortest form). */
function head(out: number[], major: number, n: number): void {
  const m = major << 5
  if (n < 24) out.push(m | n)
  else if (n < 0x100) out.push(m | 24, n)
  else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff)
  else if (n < 0x100000000) out.push(m | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
  else {
    const hi = Math.floor(n / 0x100000000)
    const lo = n >>> 0
    out.push(m | 27, (hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, (lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff)
  }
}

function putText(out: number[], key: string, v: unknown, max: number): void {
  if (typeof v !== 'string') bad(key, 'expected text')
  const b = utf8.encode(v as string)
  if (b.length > max || (max === MAX_SHORT_TEXT_BYTES && b.length === 0)) bad(key, `text of 1..${max} bytes`)
  if (/\p{Cs}/u.test(v as string)) bad(key, 'text with a lone surrogate')
  head(out, 3, b.length)
  for (const x of b) out.push(x)
}

/**
 * Encodes an entry as its leaf data (§5): the deterministic CBOR map, written key by key in the precomputed
 * canonical order (the same bytes as encodeCanonical, test/protocol/audit), every value checked against its type,
 * so the log never holds an entry parseEntry would refuse.
 */
export function encodeEntry(entry: AuditEntry): Uint8Array {
  const kind = entry.kind
  const order = KEY_ORDER[kind]
  if (order === undefined) bad('kind', 'unknown kind')
  const src = entry as unknown as Record<string, unknown>
  const present = order.filter(([k]) => k === 'v' || src[k] !== undefined)
  for (const k of Object.keys(src)) if (src[k] !== undefined && !order.some(([x]) => x === k)) bad(k, `not an attribute of a ${kind} entry`)
  const out: number[] = []
  head(out, 5, present.length)
  for (const [k, kb] of present) {
    for (const x of kb) out.push(x)
    const v = k === 'v' ? ENTRY_VERSION : src[k]
    const t = FIELD_TYPES[k]!
    if (Array.isArray(t)) {
      if (!t.includes(v as string)) bad(k, `one of ${t.join(', ')}`)
      putText(out, k, v, MAX_SHORT_TEXT_BYTES)
    } else if (t === 'uint') {
      if (!Number.isSafeInteger(v) || (v as number) < 0) bad(k, 'an unsigned integer ≤ 2^53 − 1')
      head(out, 0, v as number)
    } else if (t === 'text') putText(out, k, v, MAX_SHORT_TEXT_BYTES)
    else if (t === 'long_text') putText(out, k, v, MAX_LONG_TEXT_BYTES)
    else if (t === 'bytes32') {
      if (!(v instanceof Uint8Array) || v.length !== 32) bad(k, '32 bytes')
      head(out, 2, 32)
      for (const x of v as Uint8Array) out.push(x)
    } else if (t === 'text_list') {
      if (!Array.isArray(v) || v.length > MAX_ENTRY_LIST) bad(k, `a list of at most ${MAX_ENTRY_LIST} texts`)
      head(out, 4, (v as unknown[]).length)
      for (const x of v as unknown[]) putText(out, k, x, MAX_SHORT_TEXT_BYTES)
    } else {
      if (v !== true) bad(k, 'true when present')
      out.push(0xf5)
    }
  }
  for (const [k] of order) if (src[k] === undefined && k !== 'v' && !SCHEMA[kind].optional.includes(k)) bad(k, 'missing')
  if (out.length > MAX_ENTRY_BYTES) throw new AuditError('limit', `an entry is at most ${MAX_ENTRY_BYTES} bytes`)
  return Uint8Array.from(out)
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
