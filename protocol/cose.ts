/**
 * The record envelope (spec §3.2): a tagged COSE_Sign1 (RFC 9052 §4.2) in one fixed form, so the envelope bytes
 * are fully determined by the signed content:
 *
 *   D2                                  tag 18 (COSE_Sign1)
 *   84                                  array of 4
 *     bstr .cbor { 1: -19, 3: ct, 4: kid }   protected header, exactly this key order, shortest forms
 *     A0                                unprotected header: the empty map
 *     bstr                              payload (attached, deterministic CBOR map)
 *     58 40 <64 bytes>                  Ed25519 signature
 *
 * The signature is over Sig_structure = ["Signature1", protected, h'', payload] (RFC 9052 §4.4), deterministic CBOR.
 * This module is a byte-level parser of exactly that form: anything else is `bad_envelope` (or `non_canonical` for a
 * length written in a longer form than needed).
 */
import { COSE_ALG_ED25519, COSE_SIGN1_TAG } from './constants.ts'
import { ProtocolError } from './errors.ts'

const utf8 = new TextEncoder()
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Head bytes for major type `major` with argument `n` in shortest form. */
function head(major: number, n: number): number[] {
  const m = major << 5
  if (n < 24) return [m | n]
  if (n < 0x100) return [m | 24, n]
  if (n < 0x10000) return [m | 25, n >> 8, n & 0xff]
  return [m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
}

function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** The protected header bytes {1: -19, 3: contentType, 4: kid} (the content of the protected bstr). */
export function protectedHeader(contentType: string, kid: Uint8Array): Uint8Array {
  const ct = utf8.encode(contentType)
  // a3 = map(3); 01 32 = 1: -19; 03 <tstr>; 04 58 20 <kid>
  return concat([[0xa3, 0x01, 0x20 | (-1 - COSE_ALG_ED25519), 0x03], head(3, ct.length), ct, [0x04], head(2, kid.length), kid])
}

const SIGNATURE1 = utf8.encode('Signature1')

/** RFC 9052 §4.4 Sig_structure for COSE_Sign1 with empty external_aad: the exact bytes that are signed. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return concat([[0x84], head(3, SIGNATURE1.length), SIGNATURE1, head(2, protectedBytes.length), protectedBytes, [0x40], head(2, payload.length), payload])
}

let scratch = new Uint8Array(4096)

/**
 * The same bytes as sigStructure, written into a reused buffer: the view is valid only until the next call.
 * For the verification hot path, where the bytes go straight into a synchronous verify and are not kept.
 */
export function sigStructureView(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const ph = head(2, protectedBytes.length)
  const pl = head(2, payload.length)
  const len = 1 + 1 + SIGNATURE1.length + ph.length + protectedBytes.length + 1 + pl.length + payload.length
  if (scratch.length < len) scratch = new Uint8Array(Math.max(len, scratch.length * 2))
  let o = 0
  scratch[o++] = 0x84
  scratch[o++] = 0x60 | SIGNATURE1.length
  scratch.set(SIGNATURE1, o)
  o += SIGNATURE1.length
  for (const b of ph) scratch[o++] = b
  scratch.set(protectedBytes, o)
  o += protectedBytes.length
  scratch[o++] = 0x40
  for (const b of pl) scratch[o++] = b
  scratch.set(payload, o)
  o += payload.length
  return scratch.subarray(0, o)
}

/** Assembles the envelope bytes. */
export function envelope(protectedBytes: Uint8Array, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return concat([[0xc0 | COSE_SIGN1_TAG, 0x84], head(2, protectedBytes.length), protectedBytes, [0xa0], head(2, payload.length), payload, [0x58, 0x40], signature])
}

/** The last content type decoded: records of one type tend to arrive in runs. */
let lastContentType: { bytes: Uint8Array; text: string } | undefined

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export interface ParsedEnvelope {
  protectedBytes: Uint8Array
  contentType: string
  kid: Uint8Array
  payload: Uint8Array
  signature: Uint8Array
}

class Cursor {
  pos = 0
  constructor(readonly b: Uint8Array) {}
  fail(code: 'bad_envelope' | 'non_canonical' | 'undecodable', msg: string): never {
    throw new ProtocolError(code, `envelope: ${msg} at byte ${this.pos}`)
  }
  byte(expected: number, what: string): void {
    if (this.pos >= this.b.length) this.fail('undecodable', `truncated before ${what}`)
    const got = this.b[this.pos]!
    // §3.2: an indefinite-length head (strings, arrays, maps) is never a shortest form, wherever it stands
    if (got !== expected && (got & 0x1f) === 31 && got >> 5 >= 2 && got >> 5 <= 5) this.fail('non_canonical', `an indefinite length where ${what} belongs`)
    if (got !== expected) this.fail('bad_envelope', `expected ${what} (0x${expected.toString(16).padStart(2, '0')})`)
    this.pos++
  }
  /** A byte or text string of major type `major`; length in shortest form; returns its content. */
  string(major: number, what: string): Uint8Array {
    if (this.pos >= this.b.length) this.fail('undecodable', `truncated before ${what}`)
    const ib = this.b[this.pos++]!
    if (ib >> 5 !== major) this.fail('bad_envelope', `${what} has the wrong CBOR type`)
    const ai = ib & 0x1f
    let len: number
    if (ai < 24) len = ai
    else if (ai >= 24 && ai <= 26) {
      const n = 1 << (ai - 24)
      if (this.pos + n > this.b.length) this.fail('undecodable', `truncated in ${what} length`)
      len = 0
      for (let i = 0; i < n; i++) len = len * 256 + this.b[this.pos + i]!
      this.pos += n
      if (len < (ai === 24 ? 24 : ai === 25 ? 0x100 : 0x10000)) this.fail('non_canonical', `${what} length not in shortest form`)
    } else if (ai === 31) return this.fail('non_canonical', `${what} has an indefinite length`)
    else return this.fail('bad_envelope', `${what} length too large or reserved`)
    if (len > this.b.length - this.pos) this.fail('undecodable', `${what} length exceeds input`)
    const out = this.b.subarray(this.pos, this.pos + len)
    this.pos += len
    return out
  }
}

/**
 * Parses the fixed envelope form. Throws ProtocolError: 'undecodable' (truncated), 'non_canonical' (a longer
 * length form than needed), 'bad_envelope' (any other departure, including alg ≠ −19 and a non-empty unprotected
 * header). Returned byte arrays are views into `bytes`.
 */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  const c = new Cursor(bytes)
  c.byte(0xc0 | COSE_SIGN1_TAG, 'tag 18 (COSE_Sign1)')
  c.byte(0x84, 'a 4-element array')
  const protectedBytes = c.string(2, 'protected header')
  c.byte(0xa0, 'an empty unprotected header map')
  const payload = c.string(2, 'payload')
  const signature = c.string(2, 'signature')
  if (signature.length !== 64) c.fail('bad_envelope', 'signature is not 64 bytes')
  if (c.pos !== bytes.length) c.fail('undecodable', `${bytes.length - c.pos} trailing bytes`)

  const h = new Cursor(protectedBytes)
  h.byte(0xa3, 'protected header map of 3 entries')
  h.byte(0x01, 'label 1 (alg)')
  h.byte(0x20 | (-1 - COSE_ALG_ED25519), 'alg -19 (Ed25519)')
  h.byte(0x03, 'label 3 (content type)')
  const ctBytes = h.string(3, 'content type')
  h.byte(0x04, 'label 4 (kid)')
  const kid = h.string(2, 'kid')
  if (kid.length !== 32) h.fail('bad_envelope', 'kid is not a 32-byte Ed25519 public key')
  if (h.pos !== protectedBytes.length) h.fail('bad_envelope', 'extra bytes in protected header')
  let contentType: string
  if (lastContentType !== undefined && sameBytes(ctBytes, lastContentType.bytes)) contentType = lastContentType.text
  else {
    try {
      contentType = utf8Strict.decode(ctBytes)
    } catch {
      return h.fail('undecodable', 'content type is not UTF-8')
    }
    if (ctBytes.length <= 128) lastContentType = { bytes: ctBytes.slice(), text: contentType }
  }
  return { protectedBytes, contentType, kid, payload, signature }
}
