/**
 * Per-family validation queues (network-v1 §7), after Lodestar's network/gossip/validation/queue.ts: one bounded
 * queue per record family, so a flood of results never delays (nor crowds out) a federation record. A record from a
 * peer takes a slot in its family's queue (messages and bytes) and in its peer's share the moment it arrives — also
 * while its peer is still in hello (fault 10: what waits for a hello is inside the budget) — and holds it until its
 * outcome is known. At most `concurrency` records of a family run the pipeline at once; the others wait in order.
 * Past its capacity a site sheds gossip (§7.1): at arrival when it could not start within the maximum wait at the
 * pace its queue has been starting records, and at its turn when it has waited longer than that.
 */
import type { QueueLimits } from '../net/constants.ts'
import {
  PENDING_PEERS_MAX_BYTES, VALIDATION_QUEUE_MAX_WAIT_MS, VALIDATION_QUEUES, VALIDATION_QUEUE_PER_PEER_MAX, VALIDATION_QUEUE_PER_PEER_MAX_BYTES,
} from '../net/constants.ts'

export type Family = keyof typeof VALIDATION_QUEUES

/** The pace window (the maximum wait) is counted in this many buckets. */
const PACE_BUCKETS = 10

class FamilyQueue {
  length = 0
  bytes = 0
  running = 0
  /** The most records this queue has held at once (waiting or running). */
  peak = 0
  private readonly waiting: Array<() => void> = []
  /** Records started per bucket of the last `windowMs` (oldest first), and the current bucket's number. */
  private readonly starts = new Array<number>(PACE_BUCKETS).fill(0)
  private bucket = 0
  private readonly bucketMs: number

  constructor(readonly limits: QueueLimits, windowMs: number) {
    this.bucketMs = Math.max(1, windowMs / PACE_BUCKETS)
  }

  /** Records waiting for their turn (not yet running). */
  get waitingCount(): number {
    return this.waiting.length
  }

  /** Records this queue started in the last window (§7.1 rule 1: its pace). */
  startedInWindow(now: number): number {
    this.roll(now)
    let n = 0
    for (const s of this.starts) n += s
    return n
  }

  /** Resolves when a slot is free (at once when one is); the caller then holds it until `done()`. */
  slot(): Promise<void> | undefined {
    if (this.running < this.limits.concurrency) {
      this.running++
      return undefined
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  /** Frees a slot: the next waiting record takes it over (`running` unchanged), or it is returned. */
  done(): void {
    const next = this.waiting.shift()
    if (next === undefined) this.running--
    else next()
  }

  /** A record starts the pipeline now (one shed at its turn does not count: it cost nothing). */
  started(now: number): void {
    this.roll(now)
    this.starts[PACE_BUCKETS - 1]!++
  }

  private roll(now: number): void {
    const b = Math.floor(now / this.bucketMs)
    if (b === this.bucket) return
    const shift = Math.min(PACE_BUCKETS, b - this.bucket)
    for (let i = 0; i < shift; i++) {
      this.starts.shift()
      this.starts.push(0)
    }
    this.bucket = b
  }
}

/** A slot held by one record; `release` exactly once. */
export interface Ticket {
  /**
   * Runs `fn` when the family has a free slot. With `shed`: if the record waited longer than the queue's maximum
   * wait (network-v1 §7.1) by then, `shed(waitedMs)` answers instead and `fn` never runs.
   */
  run<T>(fn: () => Promise<T>, shed?: (waitedMs: number) => T): Promise<T>
  /**
   * §7.1 rule 2 at the record's turn to be validated (after its slot, e.g. behind the store's reads): how long it has
   * waited since it arrived if that is past the maximum wait (counted as shed at its turn), else undefined.
   */
  late(): number | undefined
  /** The peer is still in hello: count these bytes as pending until `admitted()` (or release). */
  pending(): boolean
  admitted(): void
  release(): void
}

/** Budgets of the queues: network-v1 §7 and §7.1 by default; a site MAY configure others (tests use small ones). */
export interface QueueOptions {
  /** §7.1 VALIDATION_QUEUE_MAX_WAIT_MS. */
  maxWaitMs?: number
  /** §7 VALIDATION_QUEUES, per family. */
  families?: Partial<Record<Family, QueueLimits>>
}

/** What one peer holds in the queues now. */
interface PeerShare {
  messages: number
  bytes: number
}

export class ValidationQueues {
  private readonly families = new Map<Family, FamilyQueue>()
  private readonly perPeer = new Map<string, PeerShare>()
  /** Bytes held now for peers still in hello, and the most ever held (the adversarial bench reads it). */
  pendingBytes = 0
  pendingBytesMax = 0
  /** network-v1 §7.1 VALIDATION_QUEUE_MAX_WAIT_MS. */
  readonly maxWaitMs: number
  /** Records refused or shed so far: at arrival (§7.1 rule 1), at their turn (rule 2), by a full budget (§7). */
  readonly refused = { arrival: 0, turn: 0, full: 0 }

  /** @param opts the budgets, or just the maximum wait (ms). */
  constructor(opts: QueueOptions | number = {}) {
    const o = typeof opts === 'number' ? { maxWaitMs: opts } : opts
    this.maxWaitMs = o.maxWaitMs ?? VALIDATION_QUEUE_MAX_WAIT_MS
    for (const [f, limits] of Object.entries(VALIDATION_QUEUES)) {
      this.families.set(f as Family, new FamilyQueue(o.families?.[f as Family] ?? limits, this.maxWaitMs))
    }
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

  /** The most records `family`'s queue has held at once, waiting or running (never above its maxLength). */
  peakOf(family: Family): number {
    return this.families.get(family)!.peak
  }

  /** A peer's share is empty: forget it. */
  dropPeer(peer: string): void {
    this.perPeer.delete(peer)
  }

  /**
   * A slot for `size` bytes of `family` from `peer`, or why not (the caller answers IGNORE queue_full).
   * `gossip`: network-v1 §7.1 rule 1 applies at arrival — refused when at least as many records of the family
   * already wait for their turn as it started in the last maximum wait (at that pace this one could not start in time).
   */
  reserve(family: Family, size: number, peer: string, gossip = false): Ticket | string {
    const q = this.families.get(family)!
    if (q.length >= q.limits.maxLength || q.bytes + size > q.limits.maxBytes) {
      this.refused.full++
      return `the ${family} queue is full (${q.length} records, ${q.bytes} bytes)`
    }
    if (gossip && q.waitingCount > 0) {
      const pace = q.startedInWindow(performance.now())
      if (q.waitingCount >= pace) {
        this.refused.arrival++
        return `shed: ${q.waitingCount} ${family} records wait and ${pace} started in the last ${this.maxWaitMs} ms`
      }
    }
    const p = this.perPeer.get(peer) ?? { messages: 0, bytes: 0 }
    if (p.messages >= VALIDATION_QUEUE_PER_PEER_MAX || p.bytes + size > VALIDATION_QUEUE_PER_PEER_MAX_BYTES) {
      this.refused.full++
      return `${p.messages} records (${p.bytes} bytes) from this peer already wait`
    }
    q.length++
    q.bytes += size
    if (q.length > q.peak) q.peak = q.length
    p.messages++
    p.bytes += size
    this.perPeer.set(peer, p)
    return new Slot(this, q, p, peer, size)

  }
}

/** One record's slot (a class, not closures: one allocation per record on the hot path). */
class Slot implements Ticket {
  private pendingNow = false
  private released = false
  private readonly arrived = performance.now()

  constructor(private readonly queues: ValidationQueues, private readonly q: FamilyQueue, private readonly p: PeerShare,
    private readonly peer: string, private readonly size: number) {}

  async run<T>(fn: () => Promise<T>, shed?: (waitedMs: number) => T): Promise<T> {
    const wait = this.q.slot()
    if (wait !== undefined) await wait
    try {
      const now = performance.now()
      if (shed !== undefined && now - this.arrived > this.queues.maxWaitMs) {
        this.queues.refused.turn++
        return shed(now - this.arrived)
      }
      this.q.started(now)
      return await fn()
    } finally {
      this.q.done()
    }
  }

  late(): number | undefined {
    const waited = performance.now() - this.arrived
    if (waited <= this.queues.maxWaitMs) return undefined
    this.queues.refused.turn++
    return waited
  }

  pending(): boolean {
    if (this.queues.pendingBytes + this.size > PENDING_PEERS_MAX_BYTES) return false
    this.pendingNow = true
    this.queues.pendingBytes += this.size
    this.queues.pendingBytesMax = Math.max(this.queues.pendingBytesMax, this.queues.pendingBytes)
    return true
  }

  admitted(): void {
    if (!this.pendingNow) return
    this.pendingNow = false
    this.queues.pendingBytes -= this.size
  }

  release(): void {
    if (this.released) return
    this.released = true
    this.admitted()
    this.q.length--
    this.q.bytes -= this.size
    this.p.messages--
    this.p.bytes -= this.size
    if (this.p.messages === 0) this.queues.dropPeer(this.peer)
  }
}
