/**
 * RFC 9162 §2.1 Merkle Tree Hash (the Certificate Transparency v2 tree), used for the weights root of a
 * ModelCommitment (spec §4.6) and for transcript roots. Leaf hash = SHA-256(0x00 || data); interior node =
 * SHA-256(0x01 || left || right); the tree over n leaves splits at k, the largest power of two smaller than n;
 * the hash of the empty tree is SHA-256 of the empty string.
 */
import { createHash } from 'node:crypto'
import { encodeCanonical } from './cbor.ts'

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

const LEAF = Uint8Array.of(0x00)
const NODE = Uint8Array.of(0x01)

/** RFC 9162 §2.1.1 leaf hash. */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF, data)
}

/** RFC 9162 §2.1.1 interior node hash. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE, left, right)
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

function mth(hashes: Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo
  if (n === 1) return hashes[lo]!
  const k = splitPoint(n)
  return nodeHash(mth(hashes, lo, lo + k), mth(hashes, lo + k, hi))
}

/** MTH(D[n]) over the leaf data (not leaf hashes). The empty list gives SHA-256(''). */
export function merkleRoot(leafData: Uint8Array[]): Uint8Array {
  if (leafData.length === 0) return sha256()
  return mth(leafData.map(leafHash), 0, leafData.length)
}

function path(hashes: Uint8Array[], m: number, lo: number, hi: number, out: Uint8Array[]): void {
  const n = hi - lo
  if (n === 1) return
  const k = splitPoint(n)
  if (m < k) {
    path(hashes, m, lo, lo + k, out)
    out.push(mth(hashes, lo + k, hi))
  } else {
    path(hashes, m - k, lo + k, hi, out)
    out.push(mth(hashes, lo, lo + k))
  }
}

/** RFC 9162 §2.1.3.1 inclusion proof PATH(m, D[n]) for leaf `index`, ordered from the leaf upwards. */
export function inclusionProof(leafData: Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leafData.length) throw new RangeError(`leaf index ${index} out of range`)
  const out: Uint8Array[] = []
  path(leafData.map(leafHash), index, 0, leafData.length, out)
  return out
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
  return d === 0
}

/** RFC 9162 §2.1.3.2 verification of an inclusion proof for leaf data `leaf` at `index` in a tree of `size`. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false
  let fn = index
  let sn = size - 1
  let r = leafHash(leaf)
  for (const p of proof) {
    if (p.length !== 32 || sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && equalBytes(r, root)
}

/**
 * Streaming MTH: push leaf data in order, read the root at any point. Keeps one hash per set bit of the leaf
 * count (O(log n) memory), so a multi-gigabyte model is committed without holding its leaves.
 */
export class MerkleBuilder {
  /** stack[i] = root of a complete subtree; sizes strictly decreasing powers of two. */
  private stack: { size: number; hash: Uint8Array }[] = []
  private n = 0

  get size(): number {
    return this.n
  }

  push(leafData: Uint8Array): void {
    let node = { size: 1, hash: leafHash(leafData) }
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === node.size) {
      const left = this.stack.pop()!
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) }
    }
    this.stack.push(node)
    this.n++
  }

  /** MTH of everything pushed so far (RFC 9162: the right-most incomplete subtrees fold right to left). */
  root(): Uint8Array {
    if (this.stack.length === 0) return sha256()
    let acc = this.stack[this.stack.length - 1]!.hash
    for (let i = this.stack.length - 2; i >= 0; i--) acc = nodeHash(this.stack[i]!.hash, acc)
    return acc
  }
}

/**
 * Leaf data of one tensor in a weights root (spec §4.6): the deterministic CBOR array
 * [name, dtype (as in the safetensors header), shape, sha-256 of the tensor's raw bytes].
 */
export function weightsLeaf(name: string, dtype: string, shape: number[], sha256Digest: Uint8Array): Uint8Array {
  if (sha256Digest.length !== 32) throw new RangeError('tensor digest must be 32 bytes')
  for (const d of shape) if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`bad dimension ${d}`)
  return encodeCanonical([name, dtype, shape, sha256Digest])
}

/** Orders tensor names for a weights root: bytewise over UTF-8 (spec §4.6). Throws on a duplicate name. */
export function sortTensorNames(names: string[]): string[] {
  const enc = new TextEncoder()
  const keyed = names.map((n) => ({ n, b: enc.encode(n) }))
  keyed.sort((a, b) => {
    const len = Math.min(a.b.length, b.b.length)
    for (let i = 0; i < len; i++) if (a.b[i] !== b.b[i]) return a.b[i]! - b.b[i]!
    return a.b.length - b.b.length
  })
  for (let i = 1; i < keyed.length; i++) if (keyed[i]!.n === keyed[i - 1]!.n) throw new RangeError(`duplicate tensor name '${keyed[i]!.n}'`)
  return keyed.map((k) => k.n)
}
