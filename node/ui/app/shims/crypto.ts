/**
 * Browser stand-in for the few node:crypto calls protocol/ makes: SHA-256 from @noble/hashes, and Ed25519
 * verification on @noble/ed25519's points with the equation of its strict mode (`verify(…, {zip215: false})`: A and R
 * decoded canonically, [8]([S]B − R − [k]A) = 0, small-order A refused). keys.ts applies AIP's own key and signature
 * checks (aip-v1 §3.3) before it calls verify, and caches the key object per key; the key object keeps a table of
 * A's multiples (64 × 16 points), so [k]A costs 64 additions instead of ~380 doublings and additions — federation
 * keys sign many records. test/node/ui/crypto-shim.test.ts checks it against ed.verify on valid and forged signatures.
 *
 * Fast path: `preverify` has the browser's own Ed25519 (WebCrypto, native, off the main thread) check a batch first,
 * and `verify` then accepts a signature WebCrypto found valid for exactly this key and message without the BigInt
 * math. Only "valid" is taken from WebCrypto: its check is the cofactorless [S]B = R + [k]A (with R compared as
 * bytes, so non-canonical), which implies the cofactored equation below; anything WebCrypto refuses, or a browser
 * without Ed25519 in WebCrypto, is decided by the equation below. The verdicts are the same either way; AIP's own key
 * and signature checks (keys.ts) still run before verify is called.
 */
import * as ed from '@noble/ed25519'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { Buffer } from 'buffer'

type Point = InstanceType<typeof ed.Point>

/** Ed25519 group order L. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n
const NIBBLES = 64

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Little-endian bytes → bigint, through one hex parse (a BigInt shift per byte cost more than the rest of the check). */
const le = (b: Uint8Array): bigint => {
  let h = '0x'
  for (let i = b.length - 1; i >= 0; i--) h += HEX[b[i]!]
  return BigInt(h)
}

type Bytes = Uint8Array | string

const bytesOf = (d: Bytes): Uint8Array => (typeof d === 'string' ? new TextEncoder().encode(d) : d)

export function createHash(alg: string): { update(d: Bytes): unknown; digest(enc?: string): Buffer | string } {
  if (alg !== 'sha256') throw new Error(`browser shim: only sha256, not ${alg}`)
  const h = sha256.create()
  const o = {
    update(d: Bytes) { h.update(bytesOf(d)); return o },
    digest(enc?: string) { const b = Buffer.from(h.digest()); return enc === undefined ? b : b.toString(enc as BufferEncoding) },
  }
  return o
}

export function hash(alg: string, data: Bytes): Buffer {
  if (alg !== 'sha256') throw new Error(`browser shim: only sha256, not ${alg}`)
  return Buffer.from(sha256(bytesOf(data)))
}

export function randomBytes(n: number): Buffer {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(n)))
}

export interface ShimKey {
  raw: Uint8Array
  /** table[i][j] = [j·16^i]A, built on first use. */
  table?: Point[][]
}

/** The "key object": the raw 32-byte Ed25519 key at the end of the SPKI DER keys.ts builds. */
export function createPublicKey(o: { key: Uint8Array }): ShimKey {
  return { raw: Uint8Array.from(o.key.subarray(o.key.length - 32)) }
}

function tableOf(key: ShimKey): Point[][] | undefined {
  if (key.table !== undefined) return key.table
  const A = ed.Point.fromBytes(key.raw, false)
  if (A.isSmallOrder()) return undefined
  const table: Point[][] = []
  let base = A
  for (let i = 0; i < NIBBLES; i++) {
    const row: Point[] = [ed.Point.ZERO, base]
    for (let j = 2; j < 16; j++) row.push(row[j - 1]!.add(base))
    table.push(row)
    base = row[15]!.add(base)
  }
  key.table = table
  return table
}

/** Signatures WebCrypto found valid, by signature (hex): the key and message they are valid for. */
const preverified = new Map<string, { key: Uint8Array; message: Uint8Array }>()
/** Imported WebCrypto keys by raw key (hex); undefined when the browser has no Ed25519 in WebCrypto. */
const webKeys = new Map<string, Promise<unknown>>()

/** The two SubtleCrypto calls used (typed here: this file is also type-checked without the DOM library). */
interface Subtle {
  importKey(format: 'raw', key: Uint8Array, alg: { name: 'Ed25519' }, extractable: false, usages: ['verify']): Promise<unknown>
  verify(alg: { name: 'Ed25519' }, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>
}

const hexOf = (b: Uint8Array): string => {
  let h = ''
  for (let i = 0; i < b.length; i++) h += HEX[b[i]!]
  return h
}

const same = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Checks a batch with WebCrypto's Ed25519 and remembers the valid ones for `verify`; returns how many were. */
export async function preverify(items: ReadonlyArray<{ key: Uint8Array; message: Uint8Array; signature: Uint8Array }>): Promise<number> {
  const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle
  if (subtle === undefined) return 0
  const keyOf = (raw: Uint8Array): Promise<unknown> => {
    const k = hexOf(raw)
    let p = webKeys.get(k)
    if (p === undefined) {
      p = subtle.importKey('raw', Uint8Array.from(raw), { name: 'Ed25519' }, false, ['verify']).catch(() => undefined)
      webKeys.set(k, p)
    }
    return p
  }
  const ok = await Promise.all(items.map(async ({ key, message, signature }) => {
    if (signature.length !== 64 || key.length !== 32) return false
    const k = await keyOf(key)
    if (k === undefined) return false
    const good = await subtle.verify({ name: 'Ed25519' }, k, Uint8Array.from(signature), Uint8Array.from(message)).catch(() => false)
    if (good) preverified.set(hexOf(signature), { key: Uint8Array.from(key), message: Uint8Array.from(message) })
    return good
  }))
  return ok.filter(Boolean).length
}

export function verify(_alg: null, message: Uint8Array, key: ShimKey, signature: Uint8Array): boolean {
  const sig = signature.length === 64 ? hexOf(signature) : ''
  const hit = preverified.get(sig)
  if (hit !== undefined) {
    preverified.delete(sig) // once: the map does not grow with every record the page has seen
    if (same(hit.key, key.raw) && same(hit.message, message)) return true
  }
  try {
    if (signature.length !== 64) return false
    const table = tableOf(key)
    if (table === undefined) return false
    const r = signature.subarray(0, 32)
    const s = le(signature.subarray(32))
    if (s >= L) return false
    const R = ed.Point.fromBytes(r, false)
    const SB = s === 0n ? ed.Point.ZERO : ed.Point.BASE.multiply(s, false)
    const h = new Uint8Array(64 + message.length)
    h.set(r, 0); h.set(key.raw, 32); h.set(message, 64)
    // k's nibbles, least significant first, from its hex digits (one conversion instead of a BigInt shift per nibble)
    const digits = (le(sha512(h)) % L).toString(16)
    let kA = ed.Point.ZERO
    for (let i = 0; i < digits.length; i++) {
      const nib = parseInt(digits[digits.length - 1 - i]!, 16)
      if (nib !== 0) kA = kA.add(table[i]![nib]!)
    }
    return R.add(kA).subtract(SB).clearCofactor().is0()
  } catch {
    return false
  }
}
