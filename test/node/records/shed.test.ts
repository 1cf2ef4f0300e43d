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
