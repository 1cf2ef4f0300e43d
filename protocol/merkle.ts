/**
 * RFC 9162 §2.1 Merkle Tree Hash (the Certificate Transparency v2 tree), used for the weights root of a
 * ModelCommitment (spec §4.6) and for transcript roots. Leaf hash = SHA-256(0x00 || data); interior node =
 * SHA-256(0x01 || left || right); the tree over n leaves splits at k, the largest power of two smaller than n;
 * the hash of the empty tree is SHA-256 of the empty string.
 */
import { createHash, hash } from 'node:crypto'
import { encodeCanonical } from './cbor.ts'

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

const NODE = Uint8Array.of(0x01)

/** Scratch input for the one-shot hash (no Hash object per call: ~1.5× faster on small inputs); hashing is synchronous. */
let scratch = Buffer.alloc(1024)

/** RFC 9162 §2.1.1 leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Uint8Array {
  if (data.length + 1 > scratch.length) scratch = Buffer.alloc(Math.max(data.length + 1, scratch.length * 2))
  scratch[0] = 0x00
  scratch.set(data, 1)
  return new Uint8Array(hash('sha256', scratch.subarray(0, data.length + 1), 'buffer'))
}

const nodeInput = Buffer.alloc(65)

/** RFC 9162 §2.1.1 interior node hash: SHA-256(0x01 || left || right), for 32-byte children. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== 32 || right.length !== 32) return sha256(NODE, left, right)
  nodeInput[0] = 0x01
  nodeInput.set(left, 1)
  nodeInput.set(right, 33)
  return new Uint8Array(hash('sha256', nodeInput, 'buffer'))
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

/**
 * The hash of a complete, aligned subtree: MTH(D[lo:hi]) where hi − lo is a power of two and lo a multiple of it.
 * Proof generation below asks only for such subtrees, so a log can answer from stored tiles (specs/audit-v1.md §4).
 */
export type SubtreeHash = (lo: number, hi: number) => Uint8Array

/** A SubtreeHash over leaf hashes held in memory (tests, vectors, small trees). */
export function subtreesOf(leafHashes: readonly Uint8Array[]): SubtreeHash {
  const at = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return leafHashes[lo]!
    const k = (hi - lo) / 2
    return nodeHash(at(lo, lo + k), at(lo + k, hi))
  }
  return at
}

/** MTH(D[lo:hi]) for any range an RFC 9162 tree splits into: complete left parts, recursion on the right. */
export function rangeHash(subtree: SubtreeHash, lo: number, hi: number): Uint8Array {
  const n = hi - lo
  if (n === 0) return sha256()
  if ((n & (n - 1)) === 0) return subtree(lo, hi)
  const k = splitPoint(n)
  return nodeHash(subtree(lo, lo + k), rangeHash(subtree, lo + k, hi))
}

/** RFC 9162 §2.1.3.1 PATH(m, D[0:size]) from subtree hashes, ordered from the leaf upwards. */
export function inclusionPath(subtree: SubtreeHash, index: number, size: number): Uint8Array[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new RangeError(`leaf index ${index} out of range for size ${size}`)
  const out: Uint8Array[] = []
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo
    if (n === 1) return
    const k = splitPoint(n)
    if (m < k) {
      walk(m, lo, lo + k)
      out.push(rangeHash(subtree, lo + k, hi))
    } else {
      walk(m - k, lo + k, hi)
      out.push(subtree(lo, lo + k))
    }
  }
  walk(index, 0, size)
  return out
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]): the consistency proof from the tree of size m to the tree of size n. */
export function consistencyProof(subtree: SubtreeHash, m: number, n: number): Uint8Array[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) throw new RangeError(`no consistency proof from size ${m} to ${n}`)
  const out: Uint8Array[] = []
  if (m === 0 || m === n) return out
  const sub = (mm: number, lo: number, hi: number, b: boolean): void => {
    const size = hi - lo
    if (mm === size) {
      if (!b) out.push(rangeHash(subtree, lo, hi))
      return
    }
    const k = splitPoint(size)
    if (mm <= k) {
      sub(mm, lo, lo + k, b)
      out.push(rangeHash(subtree, lo + k, hi))
    } else {
      sub(mm - k, lo + k, hi, false)
      out.push(subtree(lo, lo + k))
    }
  }
  sub(m, 0, n, true)
  return out
}

/** Why a proof failed (transparency-dev/merkle proof/verify.go style: compute the root, then compare). */
export type ProofFailure = 'bad_index' | 'bad_size' | 'bad_proof_length' | 'bad_hash_length' | 'root_mismatch'

export class MerkleProofError extends Error {
  constructor(readonly code: ProofFailure, message: string) {
    super(message)
    this.name = 'MerkleProofError'
  }
}

function checkHashes(proof: readonly Uint8Array[]): void {
  for (const p of proof) if (p.length !== 32) throw new MerkleProofError('bad_hash_length', 'a proof hash is not 32 bytes')
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof implies for a leaf hash at `index` in a tree of `size`. Throws MerkleProofError. */
export function rootFromInclusionProof(leafHashValue: Uint8Array, index: number, size: number, proof: readonly Uint8Array[]): Uint8Array {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new MerkleProofError('bad_index', `index ${index} is not below size ${size}`)
  checkHashes(proof)
  let fn = index
  let sn = size - 1
  let r = leafHashValue
  for (const p of proof) {
    if (sn === 0) throw new MerkleProofError('bad_proof_length', 'inclusion proof too long')
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  if (sn !== 0) throw new MerkleProofError('bad_proof_length', 'inclusion proof too short')
  return r
}

/** Verifies an inclusion proof against `root`; throws MerkleProofError (root_mismatch when it computes another root). */
export function verifyInclusionProof(leafHashValue: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): void {
  if (!equalBytes(rootFromInclusionProof(leafHashValue, index, size, proof), root)) throw new MerkleProofError('root_mismatch', 'the inclusion proof leads to another root')
}

/** RFC 9162 §2.1.4.2's loop (0 < m < n): the roots of sizes m and n a proof computes (m a power of two: from rootM). */
function consistencyRoots(m: number, n: number, proof: readonly Uint8Array[], rootM: Uint8Array): { fr: Uint8Array; sr: Uint8Array } {
  if (m === 0) throw new MerkleProofError('bad_size', 'every tree extends the empty tree: there is no root to compute')
  if (proof.length === 0) throw new MerkleProofError('bad_proof_length', 'empty consistency proof')
  const path = (m & (m - 1)) === 0 ? [rootM, ...proof] : [...proof]
  let fn = m - 1
  let sn = n - 1
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
  let fr = path[0]!
  let sr = path[0]!
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!
    if (sn === 0) throw new MerkleProofError('bad_proof_length', 'consistency proof too long')
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  if (sn !== 0) throw new MerkleProofError('bad_proof_length', 'consistency proof too short')
  return { fr, sr }
}

/**
 * RFC 9162 §2.1.4.2: the root of the tree of size n that a consistency proof implies, given the root of size m.
 * Also checks that the proof reproduces rootM. Throws MerkleProofError.
 */
export function rootFromConsistencyProof(m: number, n: number, proof: readonly Uint8Array[], rootM: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || n < m) throw new MerkleProofError('bad_size', `no consistency from size ${m} to ${n}`)
  checkHashes(proof)
  if (m === n) {
    if (proof.length !== 0) throw new MerkleProofError('bad_proof_length', 'equal sizes take an empty proof')
    return rootM
  }
  const { fr, sr } = consistencyRoots(m, n, proof, rootM)
  if (!equalBytes(fr, rootM)) throw new MerkleProofError('root_mismatch', 'the proof does not reproduce the first root')
  return sr
}

/**
 * The root of size m that a consistency proof from m to n claims, when m is not a power of two (the proof then
 * holds everything that root is made of); undefined when m is a power of two (the proof omits that root). The
 * caller checks the pair with verifyConsistencyProof. Throws MerkleProofError for a proof of the wrong shape.
 */
export function firstRootOfConsistencyProof(m: number, n: number, proof: readonly Uint8Array[]): Uint8Array | undefined {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m <= 0 || n <= m) throw new MerkleProofError('bad_size', `no consistency from size ${m} to ${n}`)
  checkHashes(proof)
  if ((m & (m - 1)) === 0) return undefined
  return consistencyRoots(m, n, proof, new Uint8Array(32)).fr
}

/** Verifies that the tree (n, rootN) extends (m, rootM); throws MerkleProofError. m = 0 is consistent with anything. */
export function verifyConsistencyProof(m: number, n: number, proof: readonly Uint8Array[], rootM: Uint8Array, rootN: Uint8Array): void {
  if (m === 0 && n >= 0 && Number.isSafeInteger(n)) {
    if (proof.length !== 0) throw new MerkleProofError('bad_proof_length', 'from the empty tree the proof is empty')
    return
  }
  if (!equalBytes(rootFromConsistencyProof(m, n, proof, rootM), rootN)) throw new MerkleProofError('root_mismatch', 'the consistency proof leads to another root')
}
