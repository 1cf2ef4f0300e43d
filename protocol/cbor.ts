/**
 * Deterministic CBOR (spec §3.1): the only encoding AIP signs. A subset of RFC 8949 §4.2.1 core deterministic
 * encoding that is also valid DAG-CBOR:
 * - definite lengths only; shortest integer and length heads;
 * - maps have text keys only, no duplicates, sorted length-first then bytewise over the UTF-8 key bytes;
 * - integers within ±(2^53 − 1); no floats, no undefined, no simple values other than false/true/null;
 * - the only tag is 42 (a CID link: a byte string holding 0x00 then the binary CID).
 *
 * `encodeCanonical` is canonical by construction. `decodeCanonical` accepts exactly the bytes `encodeCanonical`
 * produces — anything else throws a ProtocolError — so decode(x) re-encodes to x for every accepted x.
 * Hostile input is bounded before allocation: every declared length is checked against the remaining bytes, depth
 * and item count against DecodeLimits.
 */
import { CID } from 'multiformats/cid'
import { Digest } from 'multiformats/hashes/digest'
import { CID_TAG, MAX_CBOR_DEPTH, MAX_CBOR_ITEMS, MAX_ENVELOPE_BYTES, MAX_SAFE_INT, RAW_CODEC, SHA2_256_CODE } from './constants.ts'
import { ProtocolError } from './errors.ts'

export type CborMap = { [key: string]: CborValue }
export type CborValue = number | string | Uint8Array | boolean | null | CID | CborValue[] | CborMap

export interface DecodeLimits {
  /** Largest input accepted (bytes). Default MAX_ENVELOPE_BYTES. */
  maxBytes?: number
  /** Deepest nesting of arrays, maps and tags. Default MAX_CBOR_DEPTH. */
  maxDepth?: number
  /** Most data items in total. Default MAX_CBOR_ITEMS. */
  maxItems?: number
}

const utf8 = new TextEncoder()

/**
 * Map keys repeat across records ('created', 'category', …). Short ASCII keys are looked up here by an FNV-1a hash of
 * their bytes (then compared), so a key already seen is returned as the same (internalized) string instead of a new
 * one. Bounded: cleared when full.
 */
const KEY_CACHE = new Map<number, string>()
export const MAP_KEY_CACHE_SIZE = 4096
/** A UTF-16 surrogate without its partner: such a string has no UTF-8 encoding. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

// ---------------------------------------------------------------------------------------------------------------
// Encoding

class Writer {
  buf = new Uint8Array(256)
  len = 0
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + n) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }
  byte(b: number): void {
    this.ensure(1)
    this.buf[this.len++] = b
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
  }
  /** A head: major type (0..7) and argument in shortest form (RFC 8949 §4.2.1). */
  head(major: number, arg: number): void {
    const m = major << 5
    if (arg < 24) this.byte(m | arg)
    else if (arg < 0x100) {
      this.byte(m | 24)
      this.byte(arg)
    } else if (arg < 0x10000) {
      this.byte(m | 25)
      this.byte(arg >>> 8)
      this.byte(arg & 0xff)
    } else if (arg < 0x100000000) {
      this.byte(m | 26)
      this.ensure(4)
      new DataView(this.buf.buffer).setUint32(this.len, arg)
      this.len += 4
    } else {
      this.byte(m | 27)
      this.ensure(8)
      const dv = new DataView(this.buf.buffer)
      dv.setUint32(this.len, Math.floor(arg / 0x100000000))
      dv.setUint32(this.len + 4, arg >>> 0)
      this.len += 8
    }
  }
}

/** RFC 8949 §4.2.1 order for text keys: shorter UTF-8 encoding first, then bytewise. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

function isPlainObject(v: object): v is CborMap {
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

function encodeInto(w: Writer, v: CborValue, depth: number): void {
  switch (typeof v) {
    case 'number':
      if (!Number.isSafeInteger(v)) throw new ProtocolError('unsupported', `not a safe integer: ${v} (write fractions as decimal text)`)
      if (v >= 0) w.head(0, v)
      else w.head(1, -1 - v)
      return
    case 'string': {
      if (LONE_SURROGATE.test(v)) throw new ProtocolError('unsupported', 'text with a lone surrogate')
      const b = utf8.encode(v)
      w.head(3, b.length)
      w.bytes(b)
      return
    }
    case 'boolean':
      w.byte(v ? 0xf5 : 0xf4)
      return
    case 'object': {
      if (v === null) return w.byte(0xf6)
      if (v instanceof Uint8Array) {
        w.head(2, v.length)
        w.bytes(v)
        return
      }
      // Same bound as the decoder: at most MAX_CBOR_DEPTH nested arrays, maps and tags.
      if (depth >= MAX_CBOR_DEPTH) throw new ProtocolError('limit', `nesting deeper than ${MAX_CBOR_DEPTH}`)
      if (Array.isArray(v)) {
        w.head(4, v.length)
        for (const x of v) encodeInto(w, x, depth + 1)
        return
      }
      const cid = CID.asCID(v)
      if (cid !== null) {
        w.head(6, CID_TAG)
        w.head(2, cid.bytes.length + 1)
        w.byte(0x00)
        w.bytes(cid.bytes)
        return
      }
      if (!isPlainObject(v)) throw new ProtocolError('unsupported', `cannot encode ${Object.prototype.toString.call(v)}`)
      const entries: [Uint8Array, CborValue][] = []
      for (const k of Object.keys(v)) {
        const x = v[k]
        if (x === undefined) throw new ProtocolError('unsupported', `undefined value for key '${k}'`)
        if (LONE_SURROGATE.test(k)) throw new ProtocolError('unsupported', 'map key with a lone surrogate')
        entries.push([utf8.encode(k), x])
      }
      entries.sort((a, b) => compareKeys(a[0], b[0]))
      w.head(5, entries.length)
      for (const [k, x] of entries) {
        w.head(3, k.length)
        w.bytes(k)
        encodeInto(w, x, depth + 1)
      }
      return
    }
    default:
      throw new ProtocolError('unsupported', `cannot encode a ${typeof v}`)
  }
}

/** The deterministic CBOR encoding of `value` (spec §3.1). Throws ProtocolError('unsupported' | 'limit'). */
export function encodeCanonical(value: CborValue): Uint8Array {
  const w = new Writer()
  encodeInto(w, value, 0)
  return w.buf.slice(0, w.len)
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

class Reader {
  pos = 0
  items = 0
  constructor(
    readonly b: Uint8Array,
    readonly maxDepth: number,
    readonly maxItems: number,
  ) {}

  fail(code: 'undecodable' | 'non_canonical' | 'unsupported' | 'limit', msg: string): never {
    throw new ProtocolError(code, `${msg} at byte ${this.pos}`)
  }

  /** Major type and argument of the last head read (kept in fields: no tuple allocation per item). */
  major = 0
  arg = 0

  /** Reads a head into `major`/`arg`. Rejects reserved and indefinite forms, and non-shortest arguments. */
  head(): void {
    if (this.pos >= this.b.length) this.fail('undecodable', 'unexpected end of input')
    const ib = this.b[this.pos++]!
    const major = ib >> 5
    const ai = ib & 0x1f
    this.major = major
    if (ai < 24) {
      this.arg = ai
      return
    }
    if (ai === 31) this.fail(major === 7 ? 'undecodable' : 'non_canonical', 'indefinite length')
    if (ai > 27) this.fail('undecodable', `reserved additional information ${ai}`)
    const n = 1 << (ai - 24)
    if (this.pos + n > this.b.length) this.fail('undecodable', 'unexpected end of input')
    if (major === 7) {
      // Floats (and two-byte simple values) are forbidden in AIP.
      this.fail('unsupported', ai === 24 ? 'simple value' : 'floating-point number')
    }
    let arg = 0
    if (n === 8) {
      const hi = (this.b[this.pos]! * 0x1000000 + ((this.b[this.pos + 1]! << 16) | (this.b[this.pos + 2]! << 8) | this.b[this.pos + 3]!)) >>> 0
      const lo = (this.b[this.pos + 4]! * 0x1000000 + ((this.b[this.pos + 5]! << 16) | (this.b[this.pos + 6]! << 8) | this.b[this.pos + 7]!)) >>> 0
      if (hi > 0x1fffff) this.fail(major <= 1 || major === 6 ? 'unsupported' : 'undecodable', 'integer, tag or length beyond 2^53 - 1')
      arg = hi * 0x100000000 + lo
    } else {
      for (let i = 0; i < n; i++) arg = arg * 256 + this.b[this.pos + i]!
    }
    this.pos += n
    const min = ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : 0x100000000
    if (arg < min) this.fail('non_canonical', 'integer or length not in shortest form')
    this.arg = arg
  }

  /** A declared byte length must fit in what is left (no allocation on a lie); returns the start offset. */
  skip(len: number): number {
    if (len > this.b.length - this.pos) this.fail('undecodable', `declared length ${len} exceeds input`)
    const start = this.pos
    this.pos += len
    return start
  }

  /** Strict UTF-8 of b[start, end); short ASCII strings (most keys and labels) are decoded without TextDecoder. */
  utf8(start: number, end: number, what: string): string {
    const b = this.b
    if (end - start <= 64) {
      let ascii = true
      for (let i = start; i < end; i++) {
        if (b[i]! >= 0x80) {
          ascii = false
          break
        }
      }
      // one call: a flat string (appending char by char builds a rope of cons cells for strings over 12 characters)
      if (ascii) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[])
    }
    try {
      return utf8Strict.decode(b.subarray(start, end))
    } catch {
      return this.fail('undecodable', `invalid UTF-8 in ${what}`)
    }
  }

  /**
   * A short string (≤ 32 bytes: map keys, and text values such as categories and labels): from the key cache when
   * these exact ASCII bytes were seen before, so a repeated string costs no allocation.
   */
  mapKey(start: number, len: number, what = 'map key'): string {
    const b = this.b
    let h = 0x811c9dc5 ^ len
    for (let i = start; i < start + len; i++) {
      const c = b[i]!
      if (c >= 0x80) return this.utf8(start, start + len, what)
      h = Math.imul(h ^ c, 0x01000193)
    }
    const cached = KEY_CACHE.get(h)
    if (cached !== undefined && cached.length === len) {
      let same = true
      for (let i = 0; i < len; i++) if (cached.charCodeAt(i) !== b[start + i]) same = false
      if (same) return cached
    }
    const key = this.utf8(start, start + len, what)
    if (KEY_CACHE.size >= MAP_KEY_CACHE_SIZE) KEY_CACHE.clear()
    KEY_CACHE.set(h, key)
    return key
  }

  /** Compares two keys in place: length first, then bytewise (RFC 8949 §4.2.1). */
  compareAt(a: number, alen: number, c: number, clen: number): number {
    if (alen !== clen) return alen - clen
    const b = this.b
    for (let i = 0; i < alen; i++) if (b[a + i] !== b[c + i]) return b[a + i]! - b[c + i]!
    return 0
  }

  value(depth: number): CborValue {
    if (++this.items > this.maxItems) this.fail('limit', `more than ${this.maxItems} data items`)
    this.head()
    const major = this.major
    const arg = this.arg
    switch (major) {
      case 0:
        if (arg > MAX_SAFE_INT) this.fail('unsupported', 'integer beyond 2^53 - 1')
        return arg
      case 1:
        if (arg >= MAX_SAFE_INT) this.fail('unsupported', 'integer beyond -(2^53 - 1)')
        return -1 - arg
      case 2: {
        const start = this.skip(arg)
        return this.b.slice(start, start + arg)
      }
      case 3: {
        const start = this.skip(arg)
        return arg <= 32 ? this.mapKey(start, arg, 'text string') : this.utf8(start, start + arg, 'text string')
      }
      case 4: {
        if (depth >= this.maxDepth) this.fail('limit', `nesting deeper than ${this.maxDepth}`)
        // Each element takes at least one byte: a larger count is a lie, refuse before allocating.
        if (arg > this.b.length - this.pos) this.fail('undecodable', `array of ${arg} items exceeds input`)
        const out: CborValue[] = []
        for (let i = 0; i < arg; i++) out.push(this.value(depth + 1))
        return out
      }
      case 5: {
        if (depth >= this.maxDepth) this.fail('limit', `nesting deeper than ${this.maxDepth}`)
        if (arg * 2 > this.b.length - this.pos) this.fail('undecodable', `map of ${arg} entries exceeds input`)
        // A plain object (fast properties, unlike a null-prototype dictionary); every key, '__proto__' included, is an
        // own property (setOwn), and readers look keys up with Object.hasOwn, never `in` (spec §3.5).
        const out: CborMap = {}
        let prev = -1
        let prevLen = 0
        for (let i = 0; i < arg; i++) {
          if (++this.items > this.maxItems) this.fail('limit', `more than ${this.maxItems} data items`)
          this.head()
          const klen = this.arg
          if (this.major !== 3) this.fail('unsupported', 'map key is not a text string')
          const k = this.skip(klen)
          if (prev >= 0) {
            const c = this.compareAt(prev, prevLen, k, klen)
            if (c === 0) this.fail('undecodable', 'duplicate map key')
            if (c > 0) this.fail('non_canonical', 'map keys not in length-first bytewise order')
          }
          prev = k
          prevLen = klen
          const key = klen <= 32 ? this.mapKey(k, klen) : this.utf8(k, k + klen, 'map key')
          const v = this.value(depth + 1)
          if (key === '__proto__') setOwn(out, key, v) // spec §3.5: an own key, never the prototype
          else out[key] = v
        }
        return out
      }
      case 6: {
        if (arg !== CID_TAG) this.fail('unsupported', `tag ${arg} (only tag 42 is allowed)`)
        if (depth >= this.maxDepth) this.fail('limit', `nesting deeper than ${this.maxDepth}`)
        this.head()
        if (this.major !== 2) this.fail('undecodable', 'tag 42 does not hold a byte string')
        const len = this.arg
        const at = this.skip(len)
        const b = this.b
        if (len < 2 || b[at] !== 0x00) this.fail('undecodable', 'tag 42 byte string must start with 0x00')
        // Fast path for the one CID form records link to (§3.4): 01 55 12 20 <32-byte digest>, read in place.
        if (len === 37 && b[at + 1] === 0x01 && b[at + 2] === RAW_CODEC && b[at + 3] === SHA2_256_CODE && b[at + 4] === 0x20) {
          const bytes = b.slice(at + 1, at + 37)
          return new CID(1, RAW_CODEC, new Digest(SHA2_256_CODE, 32, bytes.subarray(4), bytes.subarray(2)), bytes)
        }
        const raw = b.subarray(at, at + len)
        try {
          const cid = CID.decode(raw.slice(1))
          if (cid.version !== 1) this.fail('unsupported', 'CIDv0 link (links are CIDv1)')
          return cid
        } catch (e) {
          if (e instanceof ProtocolError) throw e
          return this.fail('undecodable', 'tag 42 does not hold a valid CID')
        }
      }
      default: // 7: only false, true, null
        if (arg === 20) return false
        if (arg === 21) return true
        if (arg === 22) return null
        return this.fail('unsupported', arg === 23 ? 'undefined' : `simple value ${arg}`)
    }
  }
}

/**
 * Decodes exactly one deterministic-CBOR item spanning all of `bytes` (spec §3.1). Throws ProtocolError with code
 * 'undecodable', 'non_canonical', 'unsupported' or 'limit'. Maps decode to plain objects whose keys are all own
 * properties (a '__proto__' key included).
 */
export function decodeCanonical(bytes: Uint8Array, limits: DecodeLimits = {}): CborValue {
  const maxBytes = limits.maxBytes ?? MAX_ENVELOPE_BYTES
  if (bytes.length > maxBytes) throw new ProtocolError('limit', `input of ${bytes.length} bytes exceeds ${maxBytes}`)
  const r = new Reader(bytes, limits.maxDepth ?? MAX_CBOR_DEPTH, limits.maxItems ?? MAX_CBOR_ITEMS)
  const v = r.value(0)
  if (r.pos !== bytes.length) r.fail('undecodable', `${bytes.length - r.pos} trailing bytes`)
  return v
}

/**
 * Sets `key` as an own, enumerable data property of a map (spec §3.5: map keys are own keys). A plain assignment of
 * '__proto__' would instead replace the object's prototype and hide the key — and make every field of the value
 * readable as if it were the map's own.
 */
export function setOwn(map: CborMap, key: string, value: CborValue): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true })
  else map[key] = value
}

/** Type guards for decoded values. */
export function isMap(v: CborValue | undefined): v is CborMap {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && CID.asCID(v) === null
}
