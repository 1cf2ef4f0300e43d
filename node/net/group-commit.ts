/**
 * Group commit (specs/network-v1.md §8): concurrent callers of `add` share one durable write. A group is written as
 * soon as the previous one is durable (or on the next turn of the event loop when idle), so latency stays low at low
 * load and writes grow into large batches under load. `add` resolves only once its record is durable.
 */
import { COMMIT_GROUP_MAX } from './constants.ts'

interface Pending<T> {
  item: T
  resolve: () => void
  reject: (err: unknown) => void
}

export class GroupCommit<T> {
  private queue: Array<Pending<T>> = []
  private writing = false
  private scheduled = false

  constructor(private readonly write: (items: T[]) => Promise<void>, private readonly maxGroup = COMMIT_GROUP_MAX) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.schedule()
    })
  }

  /** Resolves when everything added so far is durable. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.writing) await new Promise((r) => setTimeout(r, 1))
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      void this.flush()
    })
  }

  private async flush(): Promise<void> {
    if (this.writing || this.queue.length === 0) return
    this.writing = true
    const group = this.queue.splice(0, this.maxGroup)
    try {
      await this.write(group.map((p) => p.item))
      for (const p of group) p.resolve()
    } catch (err) {
      for (const p of group) p.reject(err)
    } finally {
      this.writing = false
      if (this.queue.length > 0) void this.flush()
    }
  }
}
