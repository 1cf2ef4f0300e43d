/**
 * network-v1 §7.1: a site past its capacity sheds — a gossiped record that waited longer than the queue's maximum
 * wait when its turn comes is answered by `shed` (the door: IGNORE queue_full, no penalty) and never validated;
 * records within the bound, and records without a shed answer (sync, local), run.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ValidationQueues } from '../../../node/records/queues.ts'
import { VALIDATION_QUEUES, VALIDATION_QUEUE_MAX_WAIT_MS, MCACHE_HEARTBEATS } from '../../../node/net/constants.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('a record that waited past the maximum wait is shed, not validated; one within it runs', async () => {
  const queues = new ValidationQueues(50)
  const slots = VALIDATION_QUEUES.federation.concurrency
  const busy = Array.from({ length: slots }, (_, i) => {
    const t = queues.reserve('federation', 100, `peer${i}`)
    assert.notEqual(typeof t, 'string')
    return (t as Exclude<typeof t, string>).run(() => sleep(150).then(() => 'validated'))
  })
  const late = queues.reserve('federation', 100, 'late') as Exclude<ReturnType<ValidationQueues['reserve']>, string>
  const unshed = queues.reserve('federation', 100, 'sync') as Exclude<ReturnType<ValidationQueues['reserve']>, string>
  let ran = false
  const lateOutcome = late.run(async () => { ran = true; return 'validated' }, (ms) => `shed after ${Math.round(ms)} ms`)
  const syncOutcome = unshed.run(async () => 'validated')
  assert.deepEqual(await Promise.all(busy), Array(slots).fill('validated'))
  const shed = await lateOutcome
  assert.match(shed, /^shed after \d+ ms$/)
  assert.ok(Number(/\d+/.exec(shed)![0]) > 50)
  assert.equal(ran, false, 'a shed record is never validated')
  assert.equal(await syncOutcome, 'validated', 'without a shed answer (sync, local) the record still runs')
  for (const t of [late, unshed]) t.release()
  // a record whose turn comes at once runs even with a shed answer
  const quick = queues.reserve('federation', 100, 'quick') as Exclude<ReturnType<ValidationQueues['reserve']>, string>
  assert.equal(await quick.run(async () => 'validated', () => 'shed'), 'validated')
  quick.release()
})

test('the maximum wait is inside the mcache window, so a record validated in time can still be forwarded', () => {
  assert.ok(VALIDATION_QUEUE_MAX_WAIT_MS < MCACHE_HEARTBEATS * 1000)
  assert.equal(new ValidationQueues().maxWaitMs, VALIDATION_QUEUE_MAX_WAIT_MS)
})

test('§7.1 rule 1: gossip is shed at arrival once as many wait as the queue started in the last maximum wait', async () => {
  const queues = new ValidationQueues({ maxWaitMs: 60_000, families: { results: { maxLength: 100, maxBytes: 1 << 20, concurrency: 2 } } })
  type T = Exclude<ReturnType<ValidationQueues['reserve']>, string>
  let open!: () => void
  const gate = new Promise<void>((r) => { open = r })
  const held: T[] = []
  const runs: Array<Promise<string>> = []
  // two run (the pace so far: 2 started), then two wait for them
  for (let i = 0; i < 4; i++) {
    const t = queues.reserve('results', 100, `p${i}`, true)
    assert.notEqual(typeof t, 'string', `record ${i} takes a slot`)
    held.push(t as T)
    runs.push((t as T).run(() => gate.then(() => 'validated'), () => 'shed'))
  }
  const refused = queues.reserve('results', 100, 'p4', true)
  assert.equal(typeof refused, 'string', 'a fifth gossiped record could not start in time: shed at arrival')
  assert.match(refused as string, /^shed: 2 results records wait and 2 started/)
  const sync = queues.reserve('results', 100, 'p5')
  assert.notEqual(typeof sync, 'string', 'a record from sync (not gossip) is never shed by the pace')
  assert.equal(queues.lengthOf('results'), 5)
  open()
  assert.deepEqual(await Promise.all(runs), ['validated', 'validated', 'validated', 'validated'])
  for (const t of [...held, sync as T]) t.release()
  assert.equal(queues.peakOf('results'), 5, 'the queue never held more than it admitted')
  const again = queues.reserve('results', 100, 'p6', true)
  assert.notEqual(typeof again, 'string', 'with nothing waiting, gossip is admitted again')
  ;(again as T).release()
})

test('§7.1 rule 2 again at validation: a record whose slot came in time but whose check comes late is shed then', async () => {
  const queues = new ValidationQueues(30)
  type T = Exclude<ReturnType<ValidationQueues['reserve']>, string>
  const t = queues.reserve('results', 100, 'p', true) as T
  const outcome = await t.run(async () => {
    assert.equal(t.late(), undefined, 'in time: validated')
    await sleep(60) // e.g. behind the store's reads and a synced batch
    return t.late()
  }, () => -1)
  assert.ok(outcome !== undefined && outcome > 30, 'past the maximum wait by its check: shed')
  assert.deepEqual(queues.refused, { arrival: 0, turn: 1, full: 0 })
  t.release()
})
