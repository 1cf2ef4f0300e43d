/**
 * Ed25519 keys and signatures (spec §3.3). @noble/ed25519 signs; a native verifier checks signatures on the hot path
 * (RFC 8032 §5.1.7, cofactorless): libsodium (sodium-native's prebuilt addon, ~40 µs per ~1 KB record here) when it
 * loads, else node:crypto's OpenSSL (~89 µs; `VERIFIER` says which). Around it AIP adds checks that make the accepted
 * set exact and library-independent, so both give the same answer on every vector:
 *   - the public key must be a canonical encoding (y < p, no "negative zero" x) of a point that is not of small
 *     order (order 1, 2, 4 or 8) — otherwise `weak_key`;
 *   - S must be < L — otherwise `bad_signature` (also enforced natively; checked here so the rule is ours);
 *   - R must not be the encoding of a small-order point — otherwise `bad_signature` (as libsodium does);
 *   - R is compared as bytes against the canonical encoding of [S]B − [k]A, so a non-canonical R never verifies.
 * Public-key checks and native key objects are cached per key (keys repeat; signatures do not).
 */
import { createPublicKey, verify as nativeVerify, randomBytes } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'

/** libsodium, if its prebuilt addon loads on this platform (it ships for linux, macOS and Windows on x64 and arm64). */
const sodium = await import('sodium-native').then((m) => m.default, () => undefined)

/** The native Ed25519 verifier in use: 'libsodium' (sodium-native), or 'openssl' (node:crypto) as the fallback. */
export const VERIFIER: 'libsodium' | 'openssl' = sodium !== undefined ? 'libsodium' : 'openssl'

ed.hashes.sha512 = sha512

/** §2: most public keys whose checks and native key objects are cached. */
export const KEY_CACHE_SIZE = 4096

export interface SigningKey {
  /** 32-byte Ed25519 public key (RFC 8032 encoding). */
  publicKey: Uint8Array
  /** 32-byte seed (RFC 8032 "private key"). */
  secretKey: Uint8Array
}

/** Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L_LE = Uint8Array.from(Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex'))

/** A new signing key: from a 32-byte seed if given (deterministic), else from the system's CSPRNG. */
export function generateSigningKey(seed?: Uint8Array): SigningKey {
  const secretKey = seed === undefined ? new Uint8Array(randomBytes(32)) : Uint8Array.from(seed)
  if (secretKey.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes')
  return { publicKey: ed.getPublicKey(secretKey), secretKey }
}

/** RFC 8032 §5.1.6 signature (deterministic) over `message`. */
export function sign(key: SigningKey, message: Uint8Array): Uint8Array {
  return ed.sign(message, key.secretKey)
}

/** True when the little-endian scalar s (32 bytes) is < L. */
export function scalarIsCanonical(s: Uint8Array): boolean {
  return scalarIsCanonicalAt(s, 0)
}

/** scalarIsCanonical of the 32 bytes of `b` from `at`. */
function scalarIsCanonicalAt(b: Uint8Array, at: number): boolean {
  for (let i = 31; i >= 0; i--) {
    if (b[at + i]! < L_LE[i]!) return true
    if (b[at + i]! > L_LE[i]!) return false
  }
  return false // s == L
}

/** The canonical encodings of the 8 points of small order (order 1, 2, 4, 8) on edwards25519. */
export const SMALL_ORDER_ENCODINGS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (order 1)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, −1), order 2
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
]
const SMALL_ORDER = SMALL_ORDER_ENCODINGS.map((h) => Buffer.from(h, 'hex'))

/** First bytes of the small-order encodings: a cheap filter before the full comparison. */
const SMALL_ORDER_FIRST = new Set(SMALL_ORDER.map((b) => b[0]!))

/** True when R (32 bytes) is the canonical encoding of a small-order point. */
export function isSmallOrderEncoding(r: Uint8Array): boolean {
  if (!SMALL_ORDER_FIRST.has(r[0]!)) return false
  for (const s of SMALL_ORDER) if (s.equals(r)) return true
  return false
}

export type KeyCheck = 'ok' | 'non_canonical' | 'small_order'

interface CachedKey {
  check: KeyCheck
  native?: KeyObject
}

const cache = new Map<string, CachedKey>()
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** The last key looked up: records from one signer usually arrive in runs. */
let lastKey: Uint8Array | undefined
let lastEntry: CachedKey | undefined

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function lookup(publicKey: Uint8Array): CachedKey {
  if (lastKey !== undefined && sameBytes(lastKey, publicKey)) return lastEntry!
  const entry = lookupCached(publicKey)
  lastKey = Uint8Array.from(publicKey)
  lastEntry = entry
  return entry
}

function lookupCached(publicKey: Uint8Array): CachedKey {
  const h = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex')
  let c = cache.get(h)
  if (c !== undefined) return c
  let check: KeyCheck = 'ok'
  if (publicKey.length !== 32) check = 'non_canonical'
  else {
    try {
      const p = ed.Point.fromBytes(publicKey, false) // RFC 8032 strict decoding: y < p, x recoverable
      if (p.isSmallOrder()) check = 'small_order'
    } catch {
      check = 'non_canonical'
    }
  }
  c = { check }
  if (check === 'ok') c.native = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
  if (cache.size >= KEY_CACHE_SIZE) cache.clear()
  cache.set(h, c)
  return c
}

/** Whether a public key is acceptable to AIP (spec §3.3): canonical, on the curve, not of small order. */
export function checkPublicKey(publicKey: Uint8Array): KeyCheck {
  return lookup(publicKey).check
}

/**
 * AIP's Ed25519 verification (spec §3.3): key checks, S < L, then native cofactorless RFC 8032 verification.
 * Returns 'weak_key' for an unacceptable key, 'bad_signature' for a signature that does not verify, else 'ok'.
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): 'ok' | 'weak_key' | 'bad_signature' {
  const k = preChecked(publicKey, signature)
  if (typeof k === 'string') return k
  if (sodium !== undefined) return sodium.crypto_sign_verify_detached(signature, message, publicKey) ? 'ok' : 'bad_signature'
  return nativeVerify(null, message, k.native!, signature) ? 'ok' : 'bad_signature'
}

/** The same rules with node:crypto (OpenSSL) as the core verifier, whatever VERIFIER is: for cross-checks. */
export function verifySignatureOpenssl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): 'ok' | 'weak_key' | 'bad_signature' {
  const k = preChecked(publicKey, signature)
  if (typeof k === 'string') return k
  return nativeVerify(null, message, k.native!, signature) ? 'ok' : 'bad_signature'
}

/** AIP's own rules before the core verifier: an acceptable key, S < L, R not of small order. */
function preChecked(publicKey: Uint8Array, signature: Uint8Array): CachedKey | 'weak_key' | 'bad_signature' {
  const k = lookup(publicKey)
  if (k.check !== 'ok') return 'weak_key'
  // S is signature[32, 64), R is signature[0, 32): compared in place (no views allocated on the hot path)
  if (signature.length !== 64 || !scalarIsCanonicalAt(signature, 32) || (SMALL_ORDER_FIRST.has(signature[0]!) && isSmallOrderEncoding(signature.subarray(0, 32)))) return 'bad_signature'
  return k
}

/** The same rules computed by @noble/ed25519 alone (strict RFC 8032 mode), for cross-checks in tests and vectors. */
export function verifySignatureNoble(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, publicKey, { zip215: false })
  } catch {
    return false
  }
}
