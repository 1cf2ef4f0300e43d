/**
 * A sorted, duplicate-free set of record IDs, and what reconciliation asks of it: the index range of a tree node,
 * the counts and fingerprints of a node's children, and a node's listing (specs/sync-v1.md §3–§5).
 * Immutable: `withIds` returns a new set, so a session works on one consistent snapshot.
 */
import { ID_BYTES } from './constants.ts'
import type { SyncParams } from './constants.ts'
import { fingerprintOf } from './fingerprint.ts'
import type { Sum256 } from './fingerprint.ts'
import type { TreeNode } from './tree.ts'
import { bitsAt, compareBytes, comparePrefix, hex } from './tree.ts'

/** Counts and fingerprints of the children of one node. */
export interface ChildSummaries {
  /** (2^levelBits) child counts. */
  counts: number[]
  /** Fingerprints of the non-empty children, in child order, concatenated: (nonEmpty, fingerprintBytes). */
  fingerprints: Uint8Array
}

export class IdSet {
  /** (size, ID_BYTES) IDs in ascending byte order. */
  readonly bytes: Uint8Array
  readonly size: number

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes
    this.size = bytes.length / ID_BYTES
  }

  static empty(): IdSet {
    return new IdSet(new Uint8Array(0))
  }

  /** Builds a set from IDs in any order; duplicates are dropped. Throws on an ID that is not ID_BYTES long. */
  static from(ids: Iterable<Uint8Array>): IdSet {
    return IdSet.empty().withIds(ids)
  }

  /** This set plus `ids` (a merge: O(size + k log k)). */
  withIds(ids: Iterable<Uint8Array>): IdSet {
    const add = [...ids]
    for (const id of add) if (id.length !== ID_BYTES) throw new RangeError(`an ID must be ${ID_BYTES} bytes`)
    if (add.length === 0) return this
    add.sort(compareBytes)
    const out = new Uint8Array((this.size + add.length) * ID_BYTES)
    let n = 0
    let i = 0
    let j = 0
    let last: Uint8Array | undefined
    while (i < this.size || j < add.length) {
      let next: Uint8Array
      if (j >= add.length || (i < this.size && compareBytes(this.at(i), add[j]) <= 0)) next = this.at(i++)
      else next = add[j++]
      if (last !== undefined && compareBytes(last, next) === 0) continue
      out.set(next, n * ID_BYTES)
      last = out.subarray(n * ID_BYTES, (n + 1) * ID_BYTES)
      n++
    }
    return new IdSet(out.slice(0, n * ID_BYTES))
  }

  /** This set without `ids`. */
  withoutIds(ids: Iterable<Uint8Array>): IdSet {
    const drop = new Set<string>()
    for (const id of ids) drop.add(key(id))
    const keep: Uint8Array[] = []
    for (let i = 0; i < this.size; i++) if (!drop.has(key(this.at(i)))) keep.push(this.at(i))
    return IdSet.empty().withIds(keep)
  }

  /** The i-th ID (a view, not a copy). */
  at(i: number): Uint8Array {
    return this.bytes.subarray(i * ID_BYTES, (i + 1) * ID_BYTES)
  }

  has(id: Uint8Array): boolean {
    const [lo, hi] = this.rangeOfPrefix(id, ID_BYTES * 8)
    return hi > lo
  }

  /** Index range [lo, hi) of the IDs whose first `nbits` bits equal those of `prefix`. */
  rangeOfPrefix(prefix: Uint8Array, nbits: number): [number, number] {
    return [this.bound(prefix, nbits, false), this.bound(prefix, nbits, true)]
  }

  /** Index range [lo, hi) of the IDs in `node`. */
  range(node: TreeNode, levelBits: number): [number, number] {
    return this.rangeOfPrefix(node.path, node.depth * levelBits)
  }

  /** First index whose prefix is ≥ (upper=false) or > (upper=true) `prefix`. */
  private bound(prefix: Uint8Array, nbits: number, upper: boolean): number {
    let lo = 0
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const c = comparePrefix(this.bytes, mid * ID_BYTES, prefix, nbits)
      if (c < 0 || (upper && c === 0)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Counts and fingerprints of the children of the depth-`depth` node that spans [lo, hi). */
  summarizeChildren(lo: number, hi: number, depth: number, params: SyncParams): ChildSummaries {
    const fanout = 1 << params.levelBits
    const counts = new Array<number>(fanout).fill(0)
    // Limb sums without carries (each < 2^53 while fewer than 2^21 IDs are added), carried once per child below.
    const acc = new Float64Array(fanout * 8)
    const words = this.words
    const bitOffset = depth * params.levelBits
    for (let i = lo; i < hi; i++) {
      const c = bitsAt(this.bytes, i * ID_BYTES * 8 + bitOffset, params.levelBits)
      counts[c]++
      const a = c * 8
      if (words !== undefined) {
        const w = i * 8
        for (let j = 0; j < 8; j++) acc[a + j] += words[w + j]
      } else {
        const o = i * ID_BYTES
        for (let j = 0; j < 8; j++) {
          const p = o + 4 * j
          acc[a + j] += (this.bytes[p] | (this.bytes[p + 1] << 8) | (this.bytes[p + 2] << 16) | (this.bytes[p + 3] << 24)) >>> 0
        }
      }
      if ((counts[c] & CARRY_EVERY) === 0) carry(acc, a)
    }
    const nonEmpty = counts.filter((c) => c > 0).length
    const fingerprints = new Uint8Array(nonEmpty * params.fingerprintBytes)
    let k = 0
    for (let c = 0; c < fanout; c++) {
      if (counts[c] === 0) continue
      carry(acc, c * 8)
      const sum: Sum256 = Uint32Array.from(acc.subarray(c * 8, c * 8 + 8))
      fingerprints.set(fingerprintOf(sum, counts[c], params.fingerprintBytes), k * params.fingerprintBytes)
      k++
    }
    return { counts, fingerprints }
  }

  /** The IDs as little-endian 32-bit words (a view of `bytes`), on little-endian hosts only. */
  private get words(): Uint32Array | undefined {
    if (!LITTLE_ENDIAN || this.bytes.byteOffset % 4 !== 0) return undefined
    return new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / 4)
  }

  /** The listing of the depth-`depth` node that spans [lo, hi): (hi - lo, entryLength) concatenated. */
  listEntries(lo: number, hi: number, depth: number, params: SyncParams): Uint8Array {
    const start = entryOffset(depth, params.levelBits)
    const len = entryLength(depth, params)
    const out = new Uint8Array((hi - lo) * len)
    for (let i = lo; i < hi; i++) {
      const o = i * ID_BYTES + start
      out.set(this.bytes.subarray(o, o + len), (i - lo) * len)
    }
    return out
  }

  /** Up to `max` IDs that start with `prefix` (whole bytes). */
  matching(prefix: Uint8Array, max: number): Uint8Array[] {
    const [lo, hi] = this.rangeOfPrefix(prefix, prefix.length * 8)
    const out: Uint8Array[] = []
    for (let i = lo; i < hi && out.length < max; i++) out.push(Uint8Array.prototype.slice.call(this.at(i)))
    return out
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1
/** Carry the limb sums every 2^20 IDs added to one child, well before a limb can reach 2^53. */
const CARRY_EVERY = (1 << 20) - 1

/** Propagates carries through the 8 limb sums at acc[a .. a+8), modulo 2^256. */
function carry(acc: Float64Array, a: number): void {
  let c = 0
  for (let j = 0; j < 8; j++) {
    const s = acc[a + j] + c
    const limb = s % 0x100000000
    acc[a + j] = limb
    c = (s - limb) / 0x100000000
  }
}

/** Byte offset in the ID where the listing entry of a depth-`depth` node starts: ⌊depth·levelBits/8⌋. */
export function entryOffset(depth: number, levelBits: number): number {
  return (depth * levelBits) >> 3
}

/** Bytes per listing entry of a depth-`depth` node: listEntryBytes, cut short at the end of the ID. */
export function entryLength(depth: number, params: SyncParams): number {
  return Math.min(params.listEntryBytes, ID_BYTES - entryOffset(depth, params.levelBits))
}

function key(id: Uint8Array): string {
  return hex(id)
}
