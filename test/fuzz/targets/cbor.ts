/**
 * Fuzz targets for protocol/cbor.ts (aip-v1 §3.1), differential against cborg, an independent decoder.
 *
 * `cbor`: mutated vectors, RFC 8949 Appendix A examples and random bytes. Oracle: decodeCanonical either throws a
 * ProtocolError with a decoder code, or accepts bytes that (a) re-encode to themselves and (b) cborg, in strict
 * mode, decodes to the same value. Conversely, bytes cborg decodes strictly, that cborg re-encodes to themselves and
 * that hold only what AIP allows (text keys, safe integers, no tags) must be accepted.
 *
 * `cbor-valid`: generated AIP values. Oracle: our encoder and cborg's encoder give the same bytes, our decoder
 * returns the value, and cborg decodes it to the same value.
 */
import { decode as cborgDecode, encode as cborgEncode, Token, Type } from 'cborg'
import type { TagDecoder } from 'cborg'
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { decodeCanonical, encodeCanonical, MAX_CBOR_DEPTH, MAX_CBOR_ITEMS, MAX_SAFE_INT, ProtocolError } from '../../../protocol/index.ts'
import type { CborValue } from '../../../protocol/index.ts'
import { CBOR_VECTORS, mutated, RECORD_ENVELOPES, RFC8949_EXAMPLES } from '../corpus.ts'
import type { FuzzTarget, Verdict } from '../harness.ts'

const DECODER_CODES = new Set(['undecodable', 'non_canonical', 'unsupported', 'limit'])
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0

/** A CID as cborg sees tag 42: the byte string with its 0x00 prefix. */
class CidMark {
  constructor(readonly bytes: Uint8Array) {}
}
const tags: Record<number, TagDecoder> = { 42: (decode) => new CidMark(decode() as Uint8Array) }
const STRICT = { strict: true, rejectDuplicateMapKeys: true, allowIndefinite: false, allowUndefined: false, allowInfinity: false, allowNaN: false, useMaps: true, tags }

const cidEncoder = (obj: unknown): Token[] | null => {
  const cid = CID.asCID(obj)
  if (cid === null) return null
  const b = new Uint8Array(cid.bytes.length + 1)
  b.set(cid.bytes, 1)
  return [new Token(Type.tag, 42), new Token(Type.bytes, b)]
}

/** One comparable form for both decoders' values (maps as sorted entry lists, bytes and CIDs as tagged hex). */
function norm(v: unknown): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint') return `n:${v}`
  if (v instanceof CidMark) return { cid: hex(v.bytes.subarray(1)) }
  if (v instanceof Uint8Array) return { b: hex(v) }
  if (Array.isArray(v)) return v.map(norm)
  const cid = CID.asCID(v)
  if (cid !== null) return { cid: hex(cid.bytes) }
  const entries = v instanceof Map ? [...v.entries()] : Object.keys(v as object).map((k) => [k, (v as Record<string, unknown>)[k]])
  return { map: entries.map(([k, x]) => [norm(k), norm(x)]).sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1)) }
}

/** Whether a cborg value is in AIP's domain (no tags, text keys, safe integers) within the decoder's limits. */
function inAipDomain(v: unknown, depth = 0, count = { n: 0 }): boolean {
  if (++count.n > MAX_CBOR_ITEMS) return false
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || v instanceof Uint8Array) return true
  if (typeof v === 'number') return Number.isSafeInteger(v)
  if (typeof v === 'bigint' || v instanceof CidMark || v === undefined) return false
  if (depth >= MAX_CBOR_DEPTH) return false
  if (Array.isArray(v)) return v.every((x) => inAipDomain(x, depth + 1, count))
  if (v instanceof Map) return [...v.entries()].every(([k, x]) => typeof k === 'string' && ++count.n <= MAX_CBOR_ITEMS && inAipDomain(x, depth + 1, count))
  return false
}

export function judgeCbor(bytes: Uint8Array): Verdict {
  let ours: CborValue
  try {
    ours = decodeCanonical(bytes)
  } catch (e) {
    if (!(e instanceof ProtocolError) || !DECODER_CODES.has(e.code)) throw e
    // Reverse differential: what cborg holds canonical and inside AIP's domain, we must accept.
    let theirs: unknown
    try {
      theirs = cborgDecode(bytes, STRICT)
    } catch {
      return 'rejected'
    }
    let canonical: boolean
    try {
      canonical = inAipDomain(theirs) && same(cborgEncode(theirs), bytes)
    } catch {
      canonical = false
    }
    return canonical ? { fail: 'differential', reason: `we reject (${e.code}: ${e.message}) what cborg decodes as canonical` } : 'rejected'
  }
  const again = encodeCanonical(ours)
  if (!same(again, bytes)) return { fail: 'accepted-invalid', reason: 'accepted bytes do not re-encode to themselves (a second wire form)' }
  let theirs: unknown
  try {
    theirs = cborgDecode(bytes, STRICT)
  } catch (e) {
    return { fail: 'differential', reason: `we accept what cborg rejects: ${(e as Error).message}` }
  }
  if (JSON.stringify(norm(ours)) !== JSON.stringify(norm(theirs))) return { fail: 'differential', reason: 'cborg decodes another value' }
  return 'accepted'
}

export const cborTarget: FuzzTarget = {
  name: 'cbor',
  arbitrary: mutated([...CBOR_VECTORS, ...RFC8949_EXAMPLES, ...RECORD_ENVELOPES.slice(0, 8)]),
  run: judgeCbor,
}

// ---------------------------------------------------------------------------------------------------------------

const cidArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((d) => CID.create(1, 0x55, createDigest(0x12, d)) as unknown as CborValue)
const leaf: fc.Arbitrary<CborValue> = fc.oneof(
  fc.integer({ min: -MAX_SAFE_INT, max: MAX_SAFE_INT }),
  fc.integer({ min: -300, max: 70_000 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 48 }),
  fc.boolean(),
  fc.constant(null),
  cidArb,
)
/** Any value AIP's CBOR can carry (lone surrogates aside, which the encoder refuses). */
export const { value: valueArb } = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    leaf,
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), tie('value'), { maxKeys: 6, noNullPrototype: true }),
  ),
}))

export const cborValidTarget: FuzzTarget<CborValue> = {
  name: 'cbor-valid',
  arbitrary: valueArb,
  show: (v) => JSON.stringify(norm(v)),
  run(value) {
    let bytes: Uint8Array
    try {
      bytes = encodeCanonical(value)
    } catch (e) {
      // fast-check may generate text with lone surrogates: no UTF-8 form, refused by the encoder by design
      if (e instanceof ProtocolError && e.code === 'unsupported') return 'rejected'
      throw e
    }
    const theirs = cborgEncode(value, { typeEncoders: { Object: cidEncoder } })
    if (!same(theirs, bytes)) return { fail: 'differential', reason: `cborg encodes ${hex(theirs).slice(0, 80)}, we encode ${hex(bytes).slice(0, 80)}` }
    const back = decodeCanonical(bytes)
    if (JSON.stringify(norm(back)) !== JSON.stringify(norm(value))) return { fail: 'differential', reason: 'our decoder does not return the encoded value' }
    return judgeCbor(bytes)
  },
}
