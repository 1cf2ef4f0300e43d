/**
 * `/aip/share/1.0.0` messages (specs/alignment-v1.md §3): a request for up to MAX_SHARE_REQUEST_CHUNKS chunk IDs,
 * a response of envelopes and per-chunk refusals. Deterministic CBOR; every size bounded before it is read.
 */
import type { CID } from 'multiformats/cid'
import { decodeCanonical, encodeCanonical, isMap } from './cbor.ts'
import type { CborValue } from './cbor.ts'
import { MAX_ENVELOPE_BYTES } from './constants.ts'
import { ProtocolError } from './errors.ts'
import { fields, link, list, oneOf } from './records/schema.ts'

export const SHARE_PROTOCOL = '/aip/share/1.0.0'
/** §7: chunks per request. */
export const MAX_SHARE_REQUEST_CHUNKS = 64
/** §7: one response, in bytes. */
export const MAX_SHARE_RESPONSE_BYTES = 16 * 1024 * 1024
/** §7: one request, open to last byte (ms). */
export const SHARE_TIMEOUT_MS = 30_000

export const SHARE_CODES = ['not_in_audience', 'embargoed', 'unknown_chunk'] as const
export type ShareCode = (typeof SHARE_CODES)[number]

export interface ShareRequest { chunks: CID[] }
export interface ShareResponse { records: Uint8Array[]; refused: { chunk: CID; code: ShareCode }[] }

export function encodeShareRequest(r: ShareRequest): Uint8Array {
  if (r.chunks.length < 1 || r.chunks.length > MAX_SHARE_REQUEST_CHUNKS) throw new ProtocolError('limit', `1..${MAX_SHARE_REQUEST_CHUNKS} chunks per request`)
  return encodeCanonical({ chunks: r.chunks as unknown as CborValue })
}

export function decodeShareRequest(bytes: Uint8Array): ShareRequest {
  const m = decodeCanonical(bytes, { maxBytes: 64 + MAX_SHARE_REQUEST_CHUNKS * 48 })
  if (!isMap(m)) throw new ProtocolError('malformed', 'ShareRequest: expected a map')
  fields(m, 'ShareRequest', ['chunks'])
  return { chunks: list(m.chunks, 'chunks', 1, MAX_SHARE_REQUEST_CHUNKS, link) }
}

export function encodeShareResponse(r: ShareResponse): Uint8Array {
  return encodeCanonical({ records: r.records, refused: r.refused.map((x) => ({ chunk: x.chunk as unknown as CborValue, code: x.code })) })
}

/** A CBOR head (RFC 8949 §3; shortest form, §4.2.1) for an argument below 2^32. */
function head(major: number, n: number): Uint8Array {
  const m = major << 5
  if (n < 24) return Uint8Array.of(m | n)
  if (n < 0x100) return Uint8Array.of(m | 24, n)
  if (n < 0x10000) return Uint8Array.of(m | 25, n >>> 8, n & 0xff)
  return Uint8Array.of(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}

const RECORDS_KEY = encodeCanonical('records')

/**
 * The bytes of encodeShareResponse(r), as parts to write one after the other: the heads, and each envelope itself
 * (not copied), so a server sends megabytes of chunks without building one more copy of them. "records" sorts before
 * "refused" (same length, then bytewise: RFC 8949 §4.2.1), so the map is the records, then the refusals' encoding.
 */
export function encodeShareResponseParts(r: ShareResponse): Uint8Array[] {
  const parts: Uint8Array[] = [Uint8Array.of(0xa2), RECORDS_KEY, head(4, r.records.length)]
  for (const rec of r.records) parts.push(head(2, rec.length), rec)
  // {refused: [...]} is a one-entry map: its bytes after the map head are the key and the list
  parts.push(encodeCanonical({ refused: r.refused.map((x) => ({ chunk: x.chunk as unknown as CborValue, code: x.code })) }).subarray(1))
  return parts
}

export function decodeShareResponse(bytes: Uint8Array): ShareResponse {
  const m = decodeCanonical(bytes, { maxBytes: MAX_SHARE_RESPONSE_BYTES })
  if (!isMap(m)) throw new ProtocolError('malformed', 'ShareResponse: expected a map')
  fields(m, 'ShareResponse', ['records', 'refused'])
  const records = list(m.records, 'records', 0, MAX_SHARE_REQUEST_CHUNKS, (x, n) => {
    if (!(x instanceof Uint8Array) || x.length > MAX_ENVELOPE_BYTES) throw new ProtocolError('malformed', `${n}: expected an envelope of at most ${MAX_ENVELOPE_BYTES} bytes`)
    return x
  })
  const refused = list(m.refused, 'refused', 0, MAX_SHARE_REQUEST_CHUNKS, (x, n) => {
    const e = fields(x, n, ['chunk', 'code'])
    return { chunk: link(e.chunk, `${n}.chunk`), code: oneOf(e.code, `${n}.code`, SHARE_CODES) }
  })
  if (records.length + refused.length > MAX_SHARE_REQUEST_CHUNKS) throw new ProtocolError('malformed', 'more answers than a request may ask')
  return { records, refused }
}
