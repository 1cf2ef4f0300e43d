/**
 * Rabin–Karp rolling hash over a fixed window, modulo 2^32.
 *   h(b[i..i+W)) = Σ_k T[b[i+k]] · B^(W−1−k)   (mod 2^32)
 * T is a seeded byte-substitution table, so constant runs do not collapse to 0, and B is odd so no byte is lost.
 * Rolling one byte costs two multiplications: h' = h·B − T[out]·B^W + T[in].
 */
import { EGRESS_HASH_SEED } from './constants.ts'

const BASE = 0x01000193 // FNV prime: odd, well mixed

/** splitmix32-style generator for the substitution table. */
function table(seed: number): Uint32Array {
  const t = new Uint32Array(256)
  let s = seed >>> 0
  for (let i = 0; i < 256; i++) {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    t[i] = (z ^ (z >>> 16)) >>> 0
  }
  return t
}

export const HASH_TABLE: Uint32Array = table(EGRESS_HASH_SEED)

/** B^window mod 2^32: the weight of the byte that leaves the window. */
export function outgoingFactor(window: number): number {
  let f = 1
  for (let i = 0; i < window; i++) f = Math.imul(f, BASE)
  return f >>> 0
}

/** Hash of bytes[start, start+window). */
export function hashWindow(bytes: Uint8Array, start: number, window: number): number {
  let h = 0
  for (let i = start; i < start + window; i++) h = (Math.imul(h, BASE) + HASH_TABLE[bytes[i]]) >>> 0
  return h
}

/** Rolls h from the window starting at i−window... : removes `out`, appends `inn`. */
export function roll(h: number, out: number, inn: number, factor: number): number {
  return (Math.imul(h, BASE) - Math.imul(HASH_TABLE[out], factor) + HASH_TABLE[inn]) >>> 0
}
