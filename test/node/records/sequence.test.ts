import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRecord, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { joinSequence, splitSequence, MAX_SEQUENCE_DEPTH } from '../../../node/records/sequence.ts'

const key = generateSigningKey(new Uint8Array(32).fill(2))
const target = parseRecordId('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
const recs = [1, 2, 3].map((i) => createRecord('Retraction', { target, reason: 'r'.repeat(i * 100) }, key, 1_000 + i))

test('split(join(records)) gives back each envelope with its offset', () => {
  const file = joinSequence(recs.map((r) => r.bytes))
  const items = splitSequence(file)
  assert.equal(items.length, 3)
  let offset = 0
  items.forEach((it, i) => {
    assert.ok('bytes' in it)
    assert.equal(it.offset, offset)
    assert.deepEqual(it.bytes, recs[i].bytes)
    offset += recs[i].bytes.length
  })
  assert.deepEqual(splitSequence(new Uint8Array(0)), [])
})

test('every CBOR major type is delimited; scalars, floats and simple values are one item each', () => {
  const items = splitSequence(Uint8Array.from([0x01, 0x38, 0x63, 0x42, 0xaa, 0xbb, 0x61, 0x7a, 0xa1, 0x61, 0x6b, 0x80, 0xc1, 0x1a, 0, 0, 0, 1, 0xf5, 0xf9, 0x3c, 0x00, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0]))
  assert.deepEqual(items.map((i) => ('bytes' in i ? i.bytes.length : i.error)), [1, 2, 3, 2, 4, 6, 1, 3, 9])
})

test('hostile sequences end with an error entry, without allocating what they declare', () => {
  const good = recs[0].bytes
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated record', good.subarray(0, good.length - 1), /truncated/],
    ['8-byte length', Uint8Array.from([0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /truncated string/],
    ['2^32 elements', Uint8Array.from([0x9a, 0xff, 0xff, 0xff, 0xff, 0x00]), /truncated container/],
    ['huge map', Uint8Array.from([0xbb, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /truncated container/],
    ['deep nesting', new Uint8Array(MAX_SEQUENCE_DEPTH + 10).fill(0x81), /nesting/],
    ['deep tags', new Uint8Array(MAX_SEQUENCE_DEPTH + 10).fill(0xc1), /nesting/],
    ['indefinite', Uint8Array.from([0x5f, 0x41, 0x00, 0xff]), /indefinite/],
    ['reserved', Uint8Array.from([0x1c]), /reserved/],
    ['truncated head', Uint8Array.from([0x19, 0x01]), /truncated head/],
  ]
  for (const [name, bytes, re] of cases) {
    const items = splitSequence(joinSequence([good, bytes]))
    assert.equal(items.length, 2, name)
    assert.ok('bytes' in items[0], name)
    const last = items[1]
    assert.ok('error' in last, name)
    assert.equal(last.offset, good.length, name)
    assert.match(last.error, re, name)
  }
})
