/**
 * Verifying a log from its tiles (specs/audit-v1.md §4.3), pure: subtree hashes read from tiles for proofs, and a
 * streaming check of a whole log — every entry bundle hashes to its level-0 tile, every tile hash above level 0 is
 * the root of the full tile below, and the entries' tree root equals the checkpoint's. O(log n) memory besides one
 * hash per full tile.
 */
import { leafHash, nodeHash } from '../merkle.ts'
import type { SubtreeHash } from '../merkle.ts'
import { HASH_BYTES, TILE_HEIGHT, TILE_WIDTH } from './constants.ts'
import { AuditError } from './errors.ts'
import { decodeBundle, hashTileRange } from './tiles.ts'

/**
 * A SubtreeHash answered from tiles: the complete subtree [lo, hi) of height h is hashed from the tile at level
 * floor(h / 8) (a full tile, or the partial tile of the tree size the caller verifies against).
 */
export function tileSubtrees(getTile: (level: number, index: number) => Uint8Array | undefined): SubtreeHash {
  return (lo, hi) => {
    const { level, index, offset, count } = tileOf(lo, hi)
    const tile = getTile(level, index)
    if (tile === undefined || tile.length < (offset + count) * HASH_BYTES) throw new AuditError('bad_tile', `tile ${level}/${index} is missing or too short`)
    return hashTileRange(tile, offset, count)
  }
}

/** §4.1: which tile holds the complete subtree [lo, hi), and where: `count` hashes from hash `offset`. */
export function tileOf(lo: number, hi: number): { level: number; index: number; offset: number; count: number } {
  const h = Math.round(Math.log2(hi - lo))
  const level = Math.floor(h / TILE_HEIGHT)
  const first = lo / TILE_WIDTH ** level
  return { level, index: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, count: 2 ** (h - TILE_HEIGHT * level) }
}

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

/** Streaming verification of a whole log of `size` entries; feed every bundle, then every tile above level 0, in order. */
export class LogVerifier {
  private stack: { size: number; hash: Uint8Array }[] = []
  private leaves = 0
  /** fullRoots[l][i] = root of full tile i at level l, checked against level l + 1. */
  private fullRoots: Uint8Array[][] = [[]]
  private nextTile: number[] = []

  constructor(readonly size: number) {}

  /** Entry bundle `index` with its level-0 tile (both of the same width); returns the entries. */
  addBundle(index: number, bundle: Uint8Array, tile0: Uint8Array): Uint8Array[] {
    if (index * TILE_WIDTH !== this.leaves) throw new AuditError('bad_tile', `bundle ${index} out of order`)
    const width = Math.min(TILE_WIDTH, this.size - this.leaves)
    if (width <= 0) throw new AuditError('bad_tile', `bundle ${index} is beyond the tree size`)
    if (tile0.length !== width * HASH_BYTES) throw new AuditError('bad_tile', `tile 0/${index} is ${tile0.length} bytes, not ${width * HASH_BYTES}`)
    const entries = decodeBundle(bundle, width)
    for (let i = 0; i < width; i++) {
      const h = leafHash(entries[i]!)
      if (!equal(h, tile0.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))) throw new AuditError('bad_tile', `entry ${index * TILE_WIDTH + i} does not hash to tile 0/${index}`)
      this.push(h)
    }
    return entries
  }

  /** A tile at level ≥ 1: each of its hashes must be the root of the full tile below. */
  addTile(level: number, index: number, tile: Uint8Array): void {
    if (level < 1) throw new RangeError('level-0 tiles come with their bundles')
    if ((this.nextTile[level] ?? 0) !== index) throw new AuditError('bad_tile', `tile ${level}/${index} out of order`)
    this.nextTile[level] = index + 1
    const below = this.fullRoots[level - 1] ?? []
    const width = tile.length / HASH_BYTES
    const expected = Math.min(TILE_WIDTH, Math.floor(this.size / TILE_WIDTH ** level) - index * TILE_WIDTH)
    if (!Number.isInteger(width) || width !== expected) throw new AuditError('bad_tile', `tile ${level}/${index} has ${width} hashes, not ${expected}`)
    for (let j = 0; j < width; j++) {
      const r = below[index * TILE_WIDTH + j]
      if (r === undefined || !equal(r, tile.subarray(j * HASH_BYTES, (j + 1) * HASH_BYTES))) throw new AuditError('bad_tile', `hash ${j} of tile ${level}/${index} is not the root of the tile below`)
    }
  }

  /** Leaves seen so far. */
  get count(): number {
    return this.leaves
  }

  /** The RFC 9162 root of every leaf hash pushed (call after the last bundle). */
  root(): Uint8Array {
    if (this.leaves !== this.size) throw new AuditError('bad_tile', `${this.leaves} of ${this.size} entries seen`)
    if (this.stack.length === 0) return new Uint8Array(Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'))
    let acc = this.stack[this.stack.length - 1]!.hash
    for (let i = this.stack.length - 2; i >= 0; i--) acc = nodeHash(this.stack[i]!.hash, acc)
    return acc
  }

  /** Pushes a leaf hash; a complete subtree of 256^(l+1) leaves formed on the way is the root of a full level-l tile. */
  private push(hash: Uint8Array): void {
    let node = { size: 1, hash }
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === node.size) {
      const left = this.stack.pop()!
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) }
      for (let l = 0, s = TILE_WIDTH; s <= node.size; l++, s *= TILE_WIDTH) if (s === node.size) (this.fullRoots[l] ??= []).push(node.hash)
    }
    this.stack.push(node)
    this.leaves++
  }
}
