/**
 * The store's held filter (node/store/held.ts): never "no" for a digest it was given, including across the layers it
 * adds as it grows past its size; rarely "maybe" for one it was not (the rate its sizing promises, with margin).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { HeldFilter } from '../../../node/store/held.ts'

const digest = (i: number) => new Uint8Array(createHash('sha256').update(`digest ${i}`).digest())

test('held filter: no false "no" while growing past its size; false "maybe" under 1 %', () => {
  const filter = new HeldFilter(1_000)
  const n = 30_000 // 30× its initial size: several layers
  for (let i = 0; i < n; i++) filter.add(digest(i))
  for (let i = 0; i < n; i++) assert.equal(filter.mayHold(digest(i)), true, `digest ${i}`)
  let maybe = 0
  for (let i = n; i < 2 * n; i++) if (filter.mayHold(digest(i))) maybe++
  assert.ok(maybe < n / 100, `${maybe} false "maybe" of ${n}`)
})

test('held filter: structured digests (a Retraction may name any ID) are still told apart', () => {
  const filter = new HeldFilter()
  const aimed = (i: number) => {
    const d = new Uint8Array(32)
    new DataView(d.buffer).setUint32(12, i)
    return d
  }
  for (let i = 0; i < 1_000; i++) filter.add(aimed(i))
  for (let i = 0; i < 1_000; i++) assert.equal(filter.mayHold(aimed(i)), true)
  let maybe = 0
  for (let i = 1_000; i < 11_000; i++) if (filter.mayHold(aimed(i))) maybe++
  assert.ok(maybe < 200, `${maybe} false "maybe" of 10000`)
})
