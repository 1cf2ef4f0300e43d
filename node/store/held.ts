/**
 * The store's in-memory "held" filter (issue 17): a Bloom filter over the 32-byte digests of every record and
 * tombstone the store holds. "No" is certain — the put path then skips the read that would find neither a stored
 * record nor a tombstone (the common case: a new record); "maybe" falls back to that read. Built on open from the
 * keys, added to before each batch is written; withdrawals leave their bits (a false "maybe" only costs a read).
 *
 * Digests are sha2-256 outputs, but a tombstone's ID comes from a Retraction's target, which its signer chooses: the
 * probes mix each digest word with per-process random seeds, so nobody can aim IDs at chosen bits. Memory: 16 bits
 * per entry (about 0.2 % false "maybe" with 4 probes); when a layer is full a new one of twice the size is added, so
 * the rate stays bounded as the store grows (a scalable Bloom filter).
 */
import { randomFillSync } from 'node:crypto'

/** Bits per entry and probes per digest: a false "maybe" rate of (1 − e^(−4/16))^4 ≈ 0.24 % when full. */
const BITS_PER_ENTRY = 16
const PROBES = 4
const MIN_BITS_LOG2 = 17

interface Layer {
  bits: Uint32Array
  /** 32 − log2(bit count): a probe's index is the top bits of its 32-bit hash. */
  shift: number
  capacity: number
  count: number
}

export class HeldFilter {
  private readonly layers: Layer[] = []
  private readonly seeds = randomFillSync(new Uint32Array(2 * PROBES))

  /** A filter sized for `expected` entries (it grows past them). */
  constructor(expected = 0) {
    this.addLayer(expected)
  }

  /** Records that the store holds (or is writing) a record or tombstone with this digest. */
  add(digest: Uint8Array): void {
    let layer = this.layers[this.layers.length - 1]!
    if (layer.count >= layer.capacity) layer = this.addLayer(2 * layer.capacity)
    layer.count++
    for (let j = 0; j < PROBES; j++) {
      const i = this.probe(digest, j) >>> layer.shift
      layer.bits[i >>> 5]! |= 1 << (i & 31)
    }
  }

  /** False: the store holds neither a record nor a tombstone with this digest. True: it may. */
  mayHold(digest: Uint8Array): boolean {
    for (const layer of this.layers) {
      let all = true
      for (let j = 0; j < PROBES && all; j++) {
        const i = this.probe(digest, j) >>> layer.shift
        all = (layer.bits[i >>> 5]! & (1 << (i & 31))) !== 0
      }
      if (all) return true
    }
    return false
  }

  /** Probe j's 32-bit hash: digest word j, keyed by two seeds; its top bits (multiplicative hashing) index a layer. */
  private probe(d: Uint8Array, j: number): number {
    const at = 4 * j
    const word = ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) ^ this.seeds[2 * j]!
    return Math.imul(word, this.seeds[2 * j + 1]! | 1) >>> 0
  }

  private addLayer(entries: number): Layer {
    const log2 = Math.max(MIN_BITS_LOG2, Math.ceil(Math.log2(Math.max(1, entries) * BITS_PER_ENTRY)))
    const layer = { bits: new Uint32Array(2 ** (log2 - 5)), shift: 32 - log2, capacity: 2 ** log2 / BITS_PER_ENTRY, count: 0 }
    this.layers.push(layer)
    return layer
  }
}
