/**
 * The ID tree (specs/sync-v1.md §3): a node at depth k is the set of IDs whose first k·LEVEL_BITS bits equal its
 * path. Paths travel as ⌈k·LEVEL_BITS/8⌉ bytes with the unused trailing bits zero.
 */
import { ID_BYTES } from './constants.ts'

/** A node of the tree: its depth and its path (first depth·levelBits bits, zero-padded to whole bytes). */
export interface TreeNode {
  depth: number
  path: Uint8Array
}

/** Depth of the leaves: an ID has ID_BYTES·8 bits (specs/sync-v1.md §3). */
export function maxDepth(levelBits: number): number {
  return Math.floor((ID_BYTES * 8) / levelBits)
}

export const ROOT: TreeNode = Object.freeze({ depth: 0, path: new Uint8Array(0) })

export function pathBytes(depth: number, levelBits: number): number {
  return Math.ceil((depth * levelBits) / 8)
}

/** The `width` bits of `bytes` starting at bit `offset` (big-endian bit order), width ≤ 8. */
export function bitsAt(bytes: Uint8Array, offset: number, width: number): number {
  const i = offset >> 3
  const hi = i < bytes.length ? bytes[i] : 0
  const lo = i + 1 < bytes.length ? bytes[i + 1] : 0
  return (((hi << 8) | lo) >> (16 - (offset & 7) - width)) & ((1 << width) - 1)
}

/** Index (0 .. 2^levelBits - 1) of the child of a depth-`depth` node that holds `id`. */
export function childIndex(id: Uint8Array, depth: number, levelBits: number): number {
  return bitsAt(id, depth * levelBits, levelBits)
}

/** The `index`-th child of `node`. */
export function childOf(node: TreeNode, index: number, levelBits: number): TreeNode {
  const depth = node.depth + 1
  const path = new Uint8Array(pathBytes(depth, levelBits))
  path.set(node.path)
  const offset = node.depth * levelBits
  // Write `levelBits` bits of `index` at bit `offset` (may span two bytes).
  const shifted = index << (16 - (offset & 7) - levelBits)
  const i = offset >> 3
  path[i] |= (shifted >> 8) & 0xff
  if (i + 1 < path.length) path[i + 1] |= shifted & 0xff
  return { depth, path }
}

/** True when the bits of `path` after depth·levelBits are zero (canonical path encoding). */
export function isCanonicalPath(node: TreeNode, levelBits: number): boolean {
  if (node.path.length !== pathBytes(node.depth, levelBits)) return false
  const used = node.depth * levelBits
  const spare = node.path.length * 8 - used
  if (spare === 0) return true
  return (node.path[node.path.length - 1] & ((1 << spare) - 1)) === 0
}

/** Compare the first `nbits` bits of `id` (at `offset` in `bytes`) with `path`: negative, 0 or positive. */
export function comparePrefix(bytes: Uint8Array, offset: number, path: Uint8Array, nbits: number): number {
  const full = nbits >> 3
  for (let i = 0; i < full; i++) {
    const d = bytes[offset + i] - path[i]
    if (d !== 0) return d
  }
  const rest = nbits & 7
  if (rest === 0) return 0
  const mask = (0xff << (8 - rest)) & 0xff
  return (bytes[offset + full] & mask) - (path[full] & mask)
}

/** Lexicographic compare of two byte strings. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i]
    if (d !== 0) return d
  }
  return a.length - b.length
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function hex(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += HEX[b[i]]
  return s
}
