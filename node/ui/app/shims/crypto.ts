/**
 * Browser stand-in for the few node:crypto calls protocol/ makes: SHA-256 from @noble/hashes and Ed25519
 * verification from @noble/ed25519 in strict RFC 8032 mode (zip215: false, the cofactorless rule of aip-v1 §3.3;
 * keys.ts applies AIP's own key and signature checks before it calls verify).
 */
import * as ed from '@noble/ed25519'
import { sha256 } from '@noble/hashes/sha2.js'
import { Buffer } from 'buffer'

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

/** The "key object": the raw 32-byte Ed25519 key at the end of the SPKI DER keys.ts builds. */
export function createPublicKey(o: { key: Uint8Array }): { raw: Uint8Array } {
  return { raw: o.key.subarray(o.key.length - 32) }
}

export function verify(_alg: null, message: Uint8Array, key: { raw: Uint8Array }, signature: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, key.raw, { zip215: false })
  } catch {
    return false
  }
}
