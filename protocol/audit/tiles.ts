/**
 * The C2SP tlog-tiles layout (specs/audit-v1.md §4), pure: tile paths, the tiles a tree of a given size has, entry
 * bundles, and hashing a tile. Level-l tile n holds MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]), i < width.
 */
import { HASH_BYTES, MAX_ENTRY_BYTES, MAX_TILE_LEVEL, TILE_WIDTH } from './constants.ts'
import { AuditError } from './errors.ts'
import { nodeHash } from '../merkle.ts'

export interface TileId {
  /** Tile level 0..63, or 'entries' for an entry bundle. */
  level: number | 'entries'
  index: number
  /** 1..256; 256 = a full tile (no .p/ suffix). */
  width: number
}

/** tlog-tiles: index 1234067 → "x001/x234/067". */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('a tile index is a non-negative integer')
  const groups: string[] = []
  let v = n
  do {
    groups.unshift(String(v % 1000).padStart(3, '0'))
    v = Math.floor(v / 1000)
  } while (v > 0)
  return groups.map((g, i) => (i < groups.length - 1 ? 'x' + g : g)).join('/')
}

/** "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]". */
export function tilePath(t: TileId): string {
  const w = t.width === TILE_WIDTH ? '' : `.p/${t.width}`
  return `tile/${t.level}/${encodeTileIndex(t.index)}${w}`
}

const TILE_PATH = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/

/** Parses a tile path; throws AuditError('bad_tile_path'). */
export function parseTilePath(path: string): TileId {
  const m = TILE_PATH.exec(path)
  if (m === null) throw new AuditError('bad_tile_path', 'not a tile path: tile/<L>/<N>[.p/<W>]')
  const level = m[1] === 'entries' ? 'entries' : Number(m[1])
  if (level !== 'entries' && level > MAX_TILE_LEVEL) throw new AuditError('bad_tile_path', 'tile level above 63')
  const groups = m[2]!.split('/').map((g) => g.replace('x', ''))
  if (groups.length > 5) throw new AuditError('bad_tile_path', 'tile index too large')
  const index = groups.reduce((acc, g) => acc * 1000 + Number(g), 0)
  if (groups.length > 1 && groups[0] === '000') throw new AuditError('bad_tile_path', 'tile index with a leading zero group')
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3])
  if (m[3] !== undefined && width >= TILE_WIDTH) throw new AuditError('bad_tile_path', 'a partial tile width is 1..255')
  return { level, index, width }
}

/** Number of hashes at tree level 8·l: floor(size / 256^l). */
function hashesAtLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level)
}

/** Every tile (full or partial) of the tree of `size`, level by level, that a verifier of the whole log reads. */
export function tilesOfTree(size: number): TileId[] {
  const out: TileId[] = []
  for (let level = 0; ; level++) {
    const n = hashesAtLevel(size, level)
    if (n === 0) break
    for (let i = 0; i * TILE_WIDTH < n; i++) out.push({ level, index: i, width: Math.min(TILE_WIDTH, n - i * TILE_WIDTH) })
  }
  return out
}

/** The entry bundles of the tree of `size`. */
export function bundlesOfTree(size: number): TileId[] {
  const out: TileId[] = []
  for (let i = 0; i * TILE_WIDTH < size; i++) out.push({ level: 'entries', index: i, width: Math.min(TILE_WIDTH, size - i * TILE_WIDTH) })
  return out
}

/** MTH of `count` consecutive 32-byte hashes in `tile` starting at hash `from` (count a power of two, ≤ 256). */
export function hashTileRange(tile: Uint8Array, from: number, count: number): Uint8Array {
  if (count === 1) return tile.subarray(from * HASH_BYTES, (from + 1) * HASH_BYTES)
  const half = count / 2
  return nodeHash(hashTileRange(tile, from, half), hashTileRange(tile, from + half, half))
}

/** The hash a full tile contributes to the level above: the MTH of its 256 hashes. */
export function tileRoot(tile: Uint8Array): Uint8Array {
  if (tile.length !== TILE_WIDTH * HASH_BYTES) throw new AuditError('bad_tile', 'a full tile is 8192 bytes')
  return hashTileRange(tile, 0, TILE_WIDTH)
}

/** tlog-tiles entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function encodeBundle(entries: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) throw new AuditError('limit', `an entry is at most ${MAX_ENTRY_BYTES} bytes`)
    n += 2 + e.length
  }
  const out = new Uint8Array(n)
  let o = 0
  for (const e of entries) {
    out[o] = e.length >> 8
    out[o + 1] = e.length & 0xff
    out.set(e, o + 2)
    o += 2 + e.length
  }
  return out
}

/** Splits an entry bundle of exactly `width` entries; throws AuditError('bad_tile'). */
export function decodeBundle(bytes: Uint8Array, width: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let o = 0
  while (o < bytes.length) {
    if (o + 2 > bytes.length) throw new AuditError('bad_tile', 'truncated entry length')
    const len = (bytes[o]! << 8) | bytes[o + 1]!
    if (len > MAX_ENTRY_BYTES || o + 2 + len > bytes.length) throw new AuditError('bad_tile', 'entry longer than the bundle or the limit')
    out.push(bytes.subarray(o + 2, o + 2 + len))
    o += 2 + len
    if (out.length > width) throw new AuditError('bad_tile', `more than ${width} entries in the bundle`)
  }
  if (out.length !== width) throw new AuditError('bad_tile', `the bundle holds ${out.length} entries, not ${width}`)
  return out
}
