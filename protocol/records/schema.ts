/**
 * Small, strict readers for record payloads (spec §4). Each takes a decoded CBOR value and either returns it typed
 * or throws ProtocolError('malformed') naming the field — ('weak_key' for an unacceptable public key). Records are
 * closed: a field not listed for the type is malformed (one wire form per record; extensions need a new version).
 */
import { isLanguageTag } from '../language-tag.ts'
import { CID } from 'multiformats/cid'
import type { CborMap, CborValue } from '../cbor.ts'
import { isMap } from '../cbor.ts'
import { MAX_LONG_TEXT_BYTES, MAX_PARAM_FIELDS, MAX_SAFE_INT, MAX_SHORT_TEXT_BYTES } from '../constants.ts'
import { ProtocolError } from '../errors.ts'
import { isRecordCid } from '../ids.ts'
import { checkPublicKey } from '../keys.ts'

export function malformed(field: string, why: string): never {
  throw new ProtocolError('malformed', `${field}: ${why}`)
}

/** Byte length of a string's UTF-8 encoding, without allocating. */
export function utf8Length(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

/**
 * Checks that `m` has exactly the required keys plus any of the optional ones (spec §3.5: closed maps, own keys only —
 * a key inherited from a prototype is not a field, and '__proto__' is an unknown field like any other).
 */
export function fields(m: CborValue | undefined, name: string, required: readonly string[], optional: readonly string[] = []): CborMap {
  if (!isMap(m)) return malformed(name, 'expected a map')
  if (Object.getPrototypeOf(m) !== Object.prototype && Object.getPrototypeOf(m) !== null) malformed(name, 'expected a plain map')
  for (const k of required) if (!Object.hasOwn(m, k)) malformed(name, `missing field '${k}'`)
  const keys = Object.keys(m)
  // Every required key is present; only when there are more keys is each one looked up.
  if (keys.length !== required.length) for (const k of keys) if (!required.includes(k) && !optional.includes(k)) malformed(name, `unknown field '${k}'`)
  return m
}

export function uint(v: CborValue | undefined, name: string, max = MAX_SAFE_INT): number {
  if (typeof v !== 'number' || v < 0 || v > max) return malformed(name, `expected an unsigned integer ≤ ${max}`)
  return v
}

export function text(v: CborValue | undefined, name: string, maxBytes = MAX_SHORT_TEXT_BYTES, minBytes = 1): string {
  if (typeof v !== 'string') return malformed(name, 'expected text')
  if (v.length >= minBytes && v.length * 3 <= maxBytes) return v // UTF-8 is at most 3 bytes per UTF-16 unit
  const n = utf8Length(v)
  if (n < minBytes) malformed(name, 'empty text')
  if (n > maxBytes) malformed(name, `text longer than ${maxBytes} bytes`)
  return v
}

export function longText(v: CborValue | undefined, name: string, minBytes = 0): string {
  return text(v, name, MAX_LONG_TEXT_BYTES, minBytes)
}

export function matches(v: CborValue | undefined, name: string, re: RegExp, what: string, maxBytes = MAX_SHORT_TEXT_BYTES): string {
  const s = text(v, name, maxBytes)
  if (!re.test(s)) malformed(name, `expected ${what}`)
  return s
}

export function oneOf<T extends string>(v: CborValue | undefined, name: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) return malformed(name, `expected one of ${options.join(', ')}`)
  return v as T
}

export function bytes(v: CborValue | undefined, name: string, length: number): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== length) return malformed(name, `expected ${length} bytes`)
  return v
}

/** A 32-byte Ed25519 public key that AIP accepts for certification (spec §3.3): canonical and not small-order. */
export function publicKey(v: CborValue | undefined, name: string): Uint8Array {
  const k = bytes(v, name, 32)
  const c = checkPublicKey(k)
  if (c !== 'ok') throw new ProtocolError('weak_key', `${name}: public key is ${c === 'small_order' ? 'of small order' : 'not a canonical point encoding'}`)
  return k
}

/** A CID link to another record (CIDv1 raw sha2-256). */
export function link(v: CborValue | undefined, name: string): CID {
  const cid = v === undefined || v === null || typeof v !== 'object' ? null : CID.asCID(v)
  if (cid === null || !isRecordCid(cid)) return malformed(name, 'expected a record CID link (CIDv1 raw sha2-256)')
  return cid
}

/** Checks every entry with `item` (which validates in place and returns the entry); returns the array itself. */
export function list<T>(v: CborValue | undefined, name: string, min: number, max: number, item: (x: CborValue, name: string) => T): T[] {
  if (!Array.isArray(v)) return malformed(name, 'expected an array')
  if (v.length < min || v.length > max) malformed(name, `expected ${min}..${max} entries, got ${v.length}`)
  for (let i = 0; i < v.length; i++) item(v[i]!, indexed(name, i))
  return v as unknown as T[]
}

/** `name[i]` strings by list name: built once, not for every row of every record received (names are code constants). */
const INDEXED = new Map<string, string[]>()

/** The name of a list's entry i, for error messages: `scores[3]` (the list's own name past 64 characters). */
function indexed(name: string, i: number): string {
  if (name.length >= 64) return name
  let names = INDEXED.get(name)
  if (names === undefined) {
    names = []
    if (INDEXED.size >= 1024) INDEXED.clear()
    INDEXED.set(name, names)
  }
  return names[i] ??= `${name}[${i}]`
}

/** ISO 3166-1 alpha-2 code shape (two upper-case ASCII letters). */
export const NATION_RE = /^[A-Z]{2}$/

/** A language tag (spec §3.5: RFC 5646 well-formed, registered variants; protocol/language-tag.ts). */
export function languageTag(v: CborValue | undefined, name: string): string {
  if (typeof v !== 'string' || !isLanguageTag(v)) malformed(name, 'expected a BCP 47 language tag (spec §3.5)')
  return v
}

/** Decimal text for naturally fractional values (spec §3.1): e.g. "1e-5", "0.7", "1000000.0". */
export const DECIMAL_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/

/** A lower-case identifier (roles, kinds). */
export const IDENT_RE = /^[a-z][a-z0-9_-]*$/

export type ParamValue = string | number | boolean

/** A flat map of short text keys to text, uint or bool (engine, decoding, architecture descriptors). Validated in place. */
export function params(v: CborValue | undefined, name: string, required: readonly string[], maxFields = MAX_PARAM_FIELDS): Record<string, ParamValue> {
  if (!isMap(v)) return malformed(name, 'expected a map')
  const keys = Object.keys(v)
  if (keys.length > maxFields) malformed(name, `more than ${maxFields} entries`)
  for (const k of required) if (!Object.hasOwn(v, k)) malformed(name, `missing field '${k}'`)
  for (const k of keys) {
    if (k.length === 0 || (k.length > MAX_SHORT_TEXT_BYTES / 3 && utf8Length(k) > MAX_SHORT_TEXT_BYTES)) malformed(`${name} key`, 'empty or too long')
    const x = v[k]!
    if (typeof x === 'string') {
      if (x.length > MAX_SHORT_TEXT_BYTES / 3 && utf8Length(x) > MAX_SHORT_TEXT_BYTES) malformed(`${name}.${k}`, `text longer than ${MAX_SHORT_TEXT_BYTES} bytes`)
    } else if (typeof x === 'number') uint(x, name)
    else if (typeof x !== 'boolean') malformed(`${name}.${k}`, 'expected text, an unsigned integer or a boolean (fractions as decimal text)')
  }
  return v as Record<string, ParamValue>
}
