import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeRecord, generateSigningKey } from '../../../protocol/index.ts'
import type { DecodedRecord } from '../../../protocol/index.ts'
import { bundledSuite, chunkItems, suiteFromRecords, suiteToRecords } from '../../../node/eval/suite-records.ts'
import type { SuiteItem } from '../../../node/eval/suite.ts'

/** specs/evaluation-v1.md §3: the bundled suite's ID, the same at every site. Changes only with the suite. */
const BUNDLED_SUITE_ID = 'bafkreihnbghk6pz67wk57qsoljwkemybkplhqidq5mk4yng47zst26q65u'

test('the bundled suite has a fixed ID and its records decode and round-trip to the same items', () => {
  const { suite, records } = bundledSuite()
  assert.equal(records.manifest.id, BUNDLED_SUITE_ID)
  const decoded = records.chunks.map((c) => {
    const o = decodeRecord(c.bytes)
    assert.equal(o.action, 'accept')
    return (o as { record: DecodedRecord<'BenchmarkSuiteChunk'> }).record
  })
  const m = decodeRecord(records.manifest.bytes)
  assert.equal(m.action, 'accept')
  const back = suiteFromRecords((m as { record: DecodedRecord<'BenchmarkSuite'> }).record, decoded)
  assert.deepEqual(back.items, suite.items)
  assert.equal(back.name, 'aip-safety-v1')
})

test('chunks respect the item-count and size limits; tampered chunk lists are refused', () => {
  const items: SuiteItem[] = Array.from({ length: 600 }, (_, i) => ({ id: `x${i}`, category: 'c', language: 'en', prompt: 'p'.repeat(1500), split: 'train', expected: 'refuse' }))
  const chunks = chunkItems(items)
  assert.ok(chunks.length >= 4 && chunks.every((c) => c.length <= 256))
  assert.deepEqual(chunks.flat(), items)
  const key = generateSigningKey(new Uint8Array(32).fill(5))
  const recs = suiteToRecords({ name: 'big', version: '1', description: 'd', items }, key, 1)
  assert.deepEqual(suiteFromRecords(recs.manifest, recs.chunks).items, items)
  assert.throws(() => suiteFromRecords(recs.manifest, recs.chunks.slice().reverse()), /SUITE_MALFORMED: chunks do not match/)
  assert.throws(() => suiteFromRecords(recs.manifest, recs.chunks.slice(1)), /SUITE_MALFORMED/)
})
