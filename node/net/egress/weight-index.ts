/**
 * An index of the rolling hashes of the windows of a site's weight files (simulations/README.md § Egress accounting).
 * Open addressing over typed arrays: ~16 bytes per indexed window, no per-entry objects. Equal hashes are all kept
 * (linear probing), and every candidate is confirmed by comparing bytes, so hash collisions cost time, never accuracy.
 */
import { EGRESS_MAX_INDEXED_WINDOWS, EGRESS_MIN_DISTINCT_BYTES, EGRESS_WINDOW_BYTES } from './constants.ts'
import { hashWindow, outgoingFactor, roll } from './rolling-hash.ts'

/** Size of the pre-filter: 2^FILTER_BITS bits (2^25 bits = 4 MiB). */
const FILTER_BITS = 25

export interface WeightFile {
  name: string
  bytes: Uint8Array
}

export interface WeightIndexOptions {
  window?: number
  /** Index every stride-th window; default 1, or larger when the files exceed maxWindows windows. */
  stride?: number
  maxWindows?: number
}

/** Where a window of outgoing bytes was found in the weight files. */
export interface WeightLocation {
  file: string
  offset: number
}

export class WeightIndex {
  readonly window: number
  readonly stride: number
  /** Windows actually indexed (after the low-entropy filter). */
  readonly indexed: number
  /** Total bytes of weight files. */
  readonly bytes: number
  readonly factor: number
  private readonly data: Uint8Array // all files, concatenated
  private readonly starts: number[] // file start offsets in data
  private readonly names: string[]
  private readonly keys: Uint32Array
  private readonly vals: Uint32Array // position + 1; 0 = empty slot
  private readonly mask: number
  /** One bit per value of the top FILTER_BITS bits of a hash: most misses end at one bit test, not a table probe. */
  private readonly filter: Uint32Array

  constructor(files: WeightFile[], opts: WeightIndexOptions = {}) {
    const w = opts.window ?? EGRESS_WINDOW_BYTES
    if (!Number.isInteger(w) || w < 8 || w > 4096) throw new RangeError(`window must be an integer in [8, 4096], got ${w}`)
    this.window = w
    this.factor = outgoingFactor(w)
    this.bytes = files.reduce((n, f) => n + f.bytes.length, 0)
    if (this.bytes >= 0xffffffff) throw new RangeError('weight files exceed 4 GiB; index them per file')
    const total = files.reduce((n, f) => n + Math.max(0, f.bytes.length - w + 1), 0)
    const maxWindows = opts.maxWindows ?? EGRESS_MAX_INDEXED_WINDOWS
    this.stride = opts.stride ?? Math.max(1, Math.ceil(total / maxWindows))
    this.data = new Uint8Array(this.bytes)
    this.starts = []
    this.names = []
    let at = 0
    for (const f of files) {
      this.data.set(f.bytes, at)
      this.starts.push(at)
      this.names.push(f.name)
      at += f.bytes.length
    }
    let cap = 16
    while (cap < 2 * Math.ceil(total / this.stride)) cap *= 2
    this.keys = new Uint32Array(cap)
    this.vals = new Uint32Array(cap)
    this.mask = cap - 1
    this.filter = new Uint32Array(1 << (FILTER_BITS - 5))
    let n = 0
    for (let k = 0; k < files.length; k++) n += this.indexFile(this.starts[k], files[k].bytes.length)
    this.indexed = n
  }

  private indexFile(start: number, len: number): number {
    const w = this.window
    if (len < w) return 0
    const d = this.data
    // Rolling count of distinct byte values in the window (low-entropy filter).
    const counts = new Uint16Array(256)
    let distinct = 0
    for (let i = start; i < start + w; i++) if (counts[d[i]]++ === 0) distinct++
    let h = hashWindow(d, start, w)
    let n = 0
    for (let i = start; ; i++) {
      if ((i - start) % this.stride === 0 && distinct >= EGRESS_MIN_DISTINCT_BYTES) {
        this.insert(h, i)
        n++
      }
      if (i + w >= start + len) break
      const out = d[i]
      const inn = d[i + w]
      if (--counts[out] === 0) distinct--
      if (counts[inn]++ === 0) distinct++
      h = roll(h, out, inn, this.factor)
    }
    return n
  }

  private slot(hash: number): number {
    return (Math.imul(hash, 0x9e3779b1) >>> 0) & this.mask
  }

  private insert(hash: number, pos: number): void {
    const f = hash >>> (32 - FILTER_BITS)
    this.filter[f >>> 5] |= 1 << (f & 31)
    let s = this.slot(hash)
    while (this.vals[s] !== 0) s = (s + 1) & this.mask
    this.keys[s] = hash
    this.vals[s] = pos + 1
  }

  /** Position in the concatenated weight data of a window equal to bytes[at, at+window), or −1. */
  find(hash: number, bytes: Uint8Array, at: number): number {
    const f = hash >>> (32 - FILTER_BITS)
    if ((this.filter[f >>> 5] & (1 << (f & 31))) === 0) return -1
    const w = this.window
    const d = this.data
    for (let s = this.slot(hash); this.vals[s] !== 0; s = (s + 1) & this.mask) {
      if (this.keys[s] !== hash) continue
      const p = this.vals[s] - 1
      let k = 0
      while (k < w && d[p + k] === bytes[at + k]) k++
      if (k === w) return p
    }
    return -1
  }

  /** The weight byte at a position of the concatenated data (for extending a confirmed match). */
  byteAt(pos: number): number {
    return pos >= 0 && pos < this.data.length ? this.data[pos] : -1
  }

  /** File boundaries: a match never extends across them. */
  fileOf(pos: number): { index: number; start: number; end: number } {
    let i = this.starts.length - 1
    while (i > 0 && this.starts[i] > pos) i--
    const end = i + 1 < this.starts.length ? this.starts[i + 1] : this.data.length
    return { index: i, start: this.starts[i], end }
  }

  locate(pos: number): WeightLocation {
    const f = this.fileOf(pos)
    return { file: this.names[f.index], offset: pos - f.start }
  }
}
