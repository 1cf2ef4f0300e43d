/**
 * Streaming detector: feeds the outgoing plaintext of one connection through the rolling hash at EVERY byte offset
 * and reports runs of weight bytes, confirmed byte by byte against the weight files. Windows that straddle two
 * writes are seen (the last window−1 bytes are carried over), so splitting or shifting the data does not hide it.
 */
import type { WeightIndex, WeightLocation } from './weight-index.ts'
import { hashWindow, roll } from './rolling-hash.ts'

/** A run of outgoing bytes equal to weight bytes. offset/length are in the stream's byte numbering. */
export interface WeightHit {
  offset: number
  length: number
  weights: WeightLocation
}

export class EgressScanner {
  private carry = new Uint8Array(0)
  /** Stream offset of carry[0]. */
  private base = 0
  /** Bytes of the stream before this offset are already attributed to a hit. */
  private coveredUntil = 0

  constructor(private readonly index: WeightIndex) {}

  /** Total plaintext bytes seen so far. */
  get scanned(): number {
    return this.base + this.carry.length
  }

  /** Scans the next chunk of the stream; returns the new weight runs it completes or contains. */
  push(chunk: Uint8Array): WeightHit[] {
    const w = this.index.window
    const buf = new Uint8Array(this.carry.length + chunk.length)
    buf.set(this.carry, 0)
    buf.set(chunk, this.carry.length)
    const hits: WeightHit[] = []
    if (buf.length >= w) {
      // Windows starting in the carry were fully inside the previous buffer only if they ended there; the carry is
      // window−1 bytes, so every window scanned here is new.
      let h = hashWindow(buf, 0, w)
      for (let i = 0; ; i++) {
        const abs = this.base + i
        if (abs + w > this.coveredUntil) {
          const p = this.index.find(h, buf, i)
          if (p >= 0) hits.push(this.extend(buf, i, p))
        }
        if (i + w >= buf.length) break
        h = roll(h, buf[i], buf[i + w], this.index.factor)
      }
    }
    const keep = Math.min(buf.length, w - 1)
    this.carry = buf.slice(buf.length - keep)
    this.base += buf.length - keep
    return hits
  }

  /** Grows a confirmed window match in both directions within the buffer and the weight file. */
  private extend(buf: Uint8Array, i: number, p: number): WeightHit {
    const idx = this.index
    const file = idx.fileOf(p)
    let lo = 0
    while (i - lo - 1 >= 0 && p - lo - 1 >= file.start && this.base + i - lo - 1 >= this.coveredUntil &&
      buf[i - lo - 1] === idx.byteAt(p - lo - 1)) lo++
    let len = idx.window
    while (i + len < buf.length && p + len < file.end && buf[i + len] === idx.byteAt(p + len)) len++
    const start = this.base + i - lo
    const from = Math.max(start, this.coveredUntil)
    const end = this.base + i + len
    this.coveredUntil = end
    return { offset: from, length: end - from, weights: idx.locate(p - lo + (from - start)) }
  }
}
