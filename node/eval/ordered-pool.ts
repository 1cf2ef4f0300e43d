/**
 * Runs asynchronous work on indices 0 … n − 1 with at most `concurrency` in flight, and hands the results to
 * `commit` strictly in index order (specs/evaluation-v1.md §6): a checkpoint written this way is the one a
 * sequential run writes. Results wait for the ones before them at most `ahead` indices deep (bounded memory).
 * The first failure, in index order, is thrown after every started task has settled.
 */
export async function orderedPool<T>(
  n: number,
  concurrency: number,
  ahead: number,
  work: (i: number) => Promise<T>,
  commit: (i: number, result: T) => void | Promise<void>,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer')
  const queue: Promise<T>[] = [] // started and not yet committed, in index order
  let started = 0
  let committed = 0
  let inFlight = 0
  let wake: () => void = () => undefined
  const start = (i: number) => {
    inFlight++
    const p = work(i).finally(() => {
      inFlight--
      wake()
    })
    p.catch(() => undefined) // observed below, in order
    queue.push(p)
  }
  try {
    while (committed < n) {
      while (started < n && inFlight < concurrency && started - committed < Math.max(ahead, concurrency)) start(started++)
      const head = queue[0]!
      const headDone = await Promise.race([head.then(() => true, () => true), new Promise<false>((r) => { wake = () => r(false) })])
      if (!headDone) continue // a slot freed: start more before waiting again
      const result = await queue.shift()!
      await commit(committed++, result)
    }
  } catch (e) {
    await Promise.allSettled(queue)
    throw e
  }
}
