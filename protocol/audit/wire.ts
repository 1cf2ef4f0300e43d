/**
 * `/aip/audit/1.0.0` messages (specs/audit-v1.md §4.4): one request and one response per stream, each a
 * deterministic CBOR map (aip-v1 §3.1) framed by an unsigned-varint length.
 *
 *   request  {op: "get", path: text}                                       a tlog-tiles resource
 *            {op: "cosign", note: text, old: uint, proof: [bytes(32)]}     §7.2, proof from size `old`
 *   response {ok: bytes}                                                   the resource, or the cosignature line
 *            {conflict: uint}                                              the witness's last cosigned size ≠ old
 *            {error: text, message: text}
 */
import { decodeCanonical, encodeCanonical } from '../cbor.ts'
import { ProtocolError } from '../errors.ts'
import { bytes, fields, list, longText, oneOf, text, uint } from '../records/schema.ts'
import { MAX_AUDIT_MESSAGE_BYTES, MAX_NOTE_BYTES, MAX_PROOF_HASHES } from './constants.ts'
import { AuditError } from './errors.ts'

export const AUDIT_PROTOCOL = '/aip/audit/1.0.0'

export type AuditRequest = { op: 'get'; path: string } | { op: 'cosign'; note: string; old: number; proof: Uint8Array[] }
export type AuditResponse = { ok: Uint8Array } | { conflict: number } | { error: string; message: string }

export function encodeAuditRequest(r: AuditRequest): Uint8Array {
  return encodeCanonical(r.op === 'get' ? { op: 'get', path: r.path } : { op: 'cosign', note: r.note, old: r.old, proof: r.proof })
}

export function encodeAuditResponse(r: AuditResponse): Uint8Array {
  return encodeCanonical(r as Record<string, Uint8Array | number | string>)
}

function decode<T>(b: Uint8Array, fn: (m: Record<string, unknown>) => T): T {
  try {
    const m = decodeCanonical(b, { maxBytes: MAX_AUDIT_MESSAGE_BYTES, maxDepth: 3, maxItems: MAX_PROOF_HASHES + 16 })
    if (typeof m !== 'object' || m === null || Array.isArray(m) || m instanceof Uint8Array) throw new AuditError('malformed_note', 'a message is a map')
    return fn(m as Record<string, unknown>)
  } catch (err) {
    if (err instanceof ProtocolError) throw new AuditError('limit', `bad audit message: ${err.message}`)
    throw err
  }
}

export function decodeAuditRequest(b: Uint8Array): AuditRequest {
  return decode(b, (m) => {
    const op = oneOf(m.op as never, 'op', ['get', 'cosign'] as const)
    if (op === 'get') {
      fields(m as never, 'request', ['op', 'path'])
      return { op, path: text(m.path as never, 'path') }
    }
    fields(m as never, 'request', ['op', 'note', 'old', 'proof'])
    return {
      op, note: text(m.note as never, 'note', MAX_NOTE_BYTES), old: uint(m.old as never, 'old'),
      proof: list(m.proof as never, 'proof', 0, MAX_PROOF_HASHES, (x, n) => bytes(x, n, 32)),
    }
  })
}

export function decodeAuditResponse(b: Uint8Array): AuditResponse {
  return decode(b, (m) => {
    if ('ok' in m) {
      fields(m as never, 'response', ['ok'])
      if (!(m.ok instanceof Uint8Array)) throw new AuditError('limit', 'ok is bytes')
      return { ok: m.ok }
    }
    if ('conflict' in m) {
      fields(m as never, 'response', ['conflict'])
      return { conflict: uint(m.conflict as never, 'conflict') }
    }
    fields(m as never, 'response', ['error', 'message'])
    return { error: text(m.error as never, 'error'), message: longText(m.message as never, 'message') }
  })
}
