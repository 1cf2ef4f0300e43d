/**
 * Node fingerprints (specs/sync-v1.md §4): the IDs of a node, read as 256-bit little-endian integers, are summed
 * modulo 2^256; the fingerprint is the first FINGERPRINT_BYTES bytes of SHA-256(sum ‖ LEB128(count)).
 * The sum is what Negentropy (NIP-77) uses: order-independent, and cheap to compute for any range.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { ID_BYTES } from './constants.ts'

/** A running 256-bit sum: 8 little-endian 32-bit limbs. */
export type Sum256 = Uint32Array

export function newSum(): Sum256 {
  return new Uint32Array(8)
}

/** acc += id (mod 2^256). `bytes` holds IDs back to back; `offset` is where this ID starts. */
export function addId(acc: Sum256, bytes: Uint8Array, offset: number): void {
  let carry = 0
  for (let j = 0; j < 8; j++) {
    const o = offset + 4 * j
    const w = (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0
    const s = acc[j] + w + carry
    acc[j] = s >>> 0
    carry = s > 0xffffffff ? 1 : 0
  }
}

/** The 32-byte little-endian encoding of a sum. */
export function sumBytes(acc: Sum256): Uint8Array {
  const out = new Uint8Array(ID_BYTES)
  for (let j = 0; j < 8; j++) {
    const w = acc[j]
    out[4 * j] = w & 0xff
    out[4 * j + 1] = (w >>> 8) & 0xff
    out[4 * j + 2] = (w >>> 16) & 0xff
    out[4 * j + 3] = (w >>> 24) & 0xff
  }
  return out
}

/** Unsigned LEB128. */
export function leb128(n: number): Uint8Array {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}

/** Fingerprint of a node given its sum and count, truncated to `bytes` bytes. */
export function fingerprintOf(acc: Sum256, count: number, bytes: number): Uint8Array {
  const c = leb128(count)
  const msg = new Uint8Array(ID_BYTES + c.length)
  msg.set(sumBytes(acc), 0)
  msg.set(c, ID_BYTES)
  return sha256(msg).subarray(0, bytes)
}

/** Fingerprint of a list of IDs (for vectors and tests). */
export function fingerprintIds(ids: readonly Uint8Array[], bytes: number): Uint8Array {
  const acc = newSum()
  for (const id of ids) addId(acc, id, 0)
  return fingerprintOf(acc, ids.length, bytes)
}
