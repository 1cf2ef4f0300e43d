/**
 * alignment-v1 §4: review decisions are kept one file each, so two processes deciding at once (the CLI and the
 * dashboard) cannot lose each other's review; reviews written by the earlier single-file layout are still read; the
 * decision in force is the latest by `created`, ties broken by the greater record ID.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createRecord, decisionsInForce, generateSigningKey, parseRecordId, recordId } from '../../../protocol/index.ts'
import type { DecodedRecord } from '../../../protocol/index.ts'
import { joinSequence } from '../../../node/records/sequence.ts'
import { addReview, alignPaths, loadReviews } from '../../../node/align/state.ts'
import { withTmp } from '../cli/helpers.ts'

const key = generateSigningKey()
const bundle = recordId(new TextEncoder().encode('a bundle envelope'))
const review = (decision: 'approve' | 'reject', reason: string, created: number) =>
  createRecord('AlignmentReview', { bundle: parseRecordId(bundle), decision, reason }, key, created) as DecodedRecord<'AlignmentReview'>

test('concurrent decisions are all kept; the legacy reviews.cbor is still read', () => withTmp(async (dir) => {
  const legacy = review('reject', 'first look', 1_000)
  await mkdir(join(dir, 'align'), { recursive: true })
  await writeFile(alignPaths(dir).legacyReviews, joinSequence([legacy.bytes]))
  const many = Array.from({ length: 20 }, (_, i) => review(i % 2 === 0 ? 'approve' : 'reject', `pass ${i}`, 2_000 + i))
  await Promise.all(many.map((r) => addReview(dir, r)))
  const ids = (await loadReviews(dir)).map((r) => r.id).sort()
  assert.deepEqual(ids, [legacy, ...many].map((r) => r.id).sort())
  assert.equal(decisionsInForce(await loadReviews(dir)).get(bundle)?.reason, 'pass 19')
}))

test('a tie on `created` goes to the greater record ID, whatever the order written', () => withTmp(async (dir) => {
  const [x, y] = [review('approve', 'ok', 5_000), review('reject', 'no', 5_000)]
  const winner = x.id > y.id ? x : y
  assert.equal(decisionsInForce([x, y]).get(bundle)?.id, winner.id)
  assert.equal(decisionsInForce([y, x]).get(bundle)?.id, winner.id)
  await addReview(dir, y)
  await addReview(dir, x)
  assert.equal(decisionsInForce(await loadReviews(dir)).get(bundle)?.id, winner.id)
}))
