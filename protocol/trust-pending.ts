/**
 * The trust state's waiting room (spec §5.7): federation records that cannot be placed yet, each filed under the
 * event it waits for ('charter:<id>', 'chain:<id>', 'root:<key>', 'cert:<key>'). Bounded in total and per signer;
 * when full it drops the oldest record of a signer the trust state did not know, else the oldest — so neither a
 * flood of fresh keys nor one member's flood evicts what a known root or site is waiting for.
 */
import type { DecodedRecord } from './records/index.ts'

interface Waiting {
  record: DecodedRecord
  on: string
  signer: string
}

export class PendingRecords {
  /** oldest first */
  private readonly byId = new Map<string, Waiting>()
  /** signer (hex) → ids of its records, oldest first */
  private readonly bySigner = new Map<string, Set<string>>()
  /** ids of records whose signer was unknown when they were buffered, oldest first: dropped first */
  private readonly unknown = new Set<string>()
  /** wait key → ids of the records waiting for it */
  private readonly byEvent = new Map<string, Set<string>>()

  /**
   * @param max most records held (MAX_TRUST_PENDING)
   * @param maxPerSigner most records of one signer (MAX_TRUST_PENDING_PER_SIGNER); over it a signer displaces its own
   */
  constructor(private readonly max: number, private readonly maxPerSigner: number) {}

  get size(): number {
    return this.byId.size
  }

  /** Files `record` under the event `on`; `known` = the trust state knows its signer (a root or a certified key). */
  add(record: DecodedRecord, signer: string, on: string, known: boolean): void {
    if (this.byId.has(record.id)) return
    const mine = this.bySigner.get(signer)
    if (mine !== undefined && mine.size >= this.maxPerSigner) this.remove(mine.values().next().value!)
    else if (this.byId.size >= this.max) this.remove(this.unknown.values().next().value ?? this.byId.keys().next().value!)
    this.byId.set(record.id, { record, on, signer })
    if (!known) this.unknown.add(record.id)
    addTo(this.bySigner, signer, record.id)
    addTo(this.byEvent, on, record.id)
  }

  remove(id: string): void {
    const w = this.byId.get(id)
    if (w === undefined) return
    this.byId.delete(id)
    this.unknown.delete(id)
    removeFrom(this.bySigner, w.signer, id)
    removeFrom(this.byEvent, w.on, id)
  }

  /** Removes and returns the records waiting for `event`, oldest first. */
  take(event: string): DecodedRecord[] {
    const ids = this.byEvent.get(event)
    if (ids === undefined) return []
    const out: DecodedRecord[] = []
    for (const id of [...ids]) {
      out.push(this.byId.get(id)!.record)
      this.remove(id)
    }
    return out
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key)
  if (set === undefined) map.set(key, (set = new Set()))
  set.add(value)
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key)
  set?.delete(value)
  if (set?.size === 0) map.delete(key)
}
