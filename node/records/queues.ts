/**
 * Per-family validation queues (network-v1 §7), after Lodestar's network/gossip/validation/queue.ts: one bounded
 * queue per record family, so a flood of results never delays (nor crowds out) a federation record. A record from a
 * peer takes a slot in its family's queue (messages and bytes) and in its peer's share the moment it arrives — also
 * while its peer is still in hello (fault 10: what waits for a hello is inside the budget) — and holds it until its
 * outcome is known. At most `concurrency` records of a family run the pipeline at once; the others wait in order.
 */
import type { QueueLimits } from '../net/constants.ts'
import {
  PENDING_PEERS_MAX_BYTES, VALIDATION_QUEUE_MAX_WAIT_MS, VALIDATION_QUEUES, VALIDATION_QUEUE_PER_PEER_MAX, VALIDATION_QUEUE_PER_PEER_MAX_BYTES,
} from '../net/constants.ts'

export type Family = keyof typeof VALIDATION_QUEUES

class FamilyQueue {
  length = 0
  bytes = 0
  running = 0
  private readonly waiting: Array<() => void> = []
  constructor(readonly limits: QueueLimits) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    try {
      return await fn()
    } finally {
      this.running--
      this.waiting.shift()?.()
    }
  }
}

/** A slot held by one record; `release` exactly once. */
export interface Ticket {
  /**
   * Runs `fn` when the family has a free slot. With `shed`: if the record waited longer than the queue's maximum
   * wait (network-v1 §7.1) by then, `shed(waitedMs)` answers instead and `fn` never runs.
   */
  run<T>(fn: () => Promise<T>, shed?: (waitedMs: number) => T): Promise<T>
  /** The peer is still in hello: count these bytes as pending until `admitted()` (or release). */
  pending(): boolean
  admitted(): void
  release(): void
}

export class ValidationQueues {
  private readonly families = new Map<Family, FamilyQueue>()
  private readonly perPeer = new Map<string, { messages: number; bytes: number }>()
  /** Bytes held now for peers still in hello, and the most ever held (the adversarial bench reads it). */
  pendingBytes = 0
  pendingBytesMax = 0

  /** @param maxWaitMs network-v1 §7.1 VALIDATION_QUEUE_MAX_WAIT_MS (tests shorten it). */
  constructor(readonly maxWaitMs = VALIDATION_QUEUE_MAX_WAIT_MS) {
    for (const [f, limits] of Object.entries(VALIDATION_QUEUES)) this.families.set(f as Family, new FamilyQueue(limits))
  }

  /** Records waiting or running, all families (the `aip_gossip_validation_queue` gauge). */
  get length(): number {
    let n = 0
    for (const q of this.families.values()) n += q.length
    return n
  }

  lengthOf(family: Family): number {
    return this.families.get(family)!.length
  }

  /** A slot for `size` bytes of `family` from `peer`, or why not (the caller answers IGNORE queue_full). */
  reserve(family: Family, size: number, peer: string): Ticket | string {
    const q = this.families.get(family)!
    if (q.length >= q.limits.maxLength || q.bytes + size > q.limits.maxBytes) return `the ${family} queue is full (${q.length} records, ${q.bytes} bytes)`
    const p = this.perPeer.get(peer) ?? { messages: 0, bytes: 0 }
    if (p.messages >= VALIDATION_QUEUE_PER_PEER_MAX || p.bytes + size > VALIDATION_QUEUE_PER_PEER_MAX_BYTES) {
      return `${p.messages} records (${p.bytes} bytes) from this peer already wait`
    }
    q.length++
    q.bytes += size
    p.messages++
    p.bytes += size
    this.perPeer.set(peer, p)
    let pending = false
    let released = false
    const arrived = performance.now()
    const unpend = (): void => {
      if (!pending) return
      pending = false
      this.pendingBytes -= size
    }
    return {
      run: (fn, shed) => q.run(() => {
        const waited = performance.now() - arrived
        return shed !== undefined && waited > this.maxWaitMs ? Promise.resolve(shed(waited)) : fn()
      }),
      pending: () => {
        if (this.pendingBytes + size > PENDING_PEERS_MAX_BYTES) return false
        pending = true
        this.pendingBytes += size
        this.pendingBytesMax = Math.max(this.pendingBytesMax, this.pendingBytes)
        return true
      },
      admitted: unpend,
      release: () => {
        if (released) return
        released = true
        unpend()
        q.length--
        q.bytes -= size
        p.messages--
        p.bytes -= size
        if (p.messages === 0) this.perPeer.delete(peer)
      },
    }
  }
}
