/**
 * alignment-v1 §3 messages: encodeShareResponseParts writes exactly the bytes of encodeShareResponse (the one
 * deterministic encoding), for every size of head — no records, records of 23/24/255/256/65535/65536 bytes,
 * refusals — and the result decodes back.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeShareResponse, encodeShareResponse, encodeShareResponseParts, parseRecordId, recordId } from '../../protocol/index.ts'
import type { ShareResponse } from '../../protocol/index.ts'
import { Rng } from '../../simulations/rng.ts'

const rng = new Rng(7)
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.int(256))
const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts)

test('encodeShareResponseParts concatenates to exactly encodeShareResponse', () => {
  const link = (i: number) => parseRecordId(recordId(Uint8Array.of(i)))
  const cases: ShareResponse[] = [
    { records: [], refused: [] },
    { records: [bytes(23), bytes(24), bytes(255), bytes(256)], refused: [] },
    { records: [bytes(65_535), bytes(65_536), bytes(200_000)], refused: [{ chunk: link(1), code: 'unknown_chunk' }] },
    { records: [], refused: [{ chunk: link(2), code: 'not_in_audience' }, { chunk: link(3), code: 'embargoed' }] },
    { records: Array.from({ length: 30 }, (_, i) => bytes(i * 7)), refused: [{ chunk: link(4), code: 'unknown_chunk' }] },
  ]
  for (const r of cases) {
    const whole = encodeShareResponse(r)
    assert.deepEqual(concat(encodeShareResponseParts(r)), Buffer.from(whole))
    const back = decodeShareResponse(whole)
    assert.deepEqual(back.records.map((x) => Buffer.from(x)), r.records.map((x) => Buffer.from(x)))
    assert.deepEqual(back.refused.map((x) => [x.chunk.toString(), x.code]), r.refused.map((x) => [x.chunk.toString(), x.code]))
  }
})

test('a response\'s parts hold the envelopes themselves, not copies', () => {
  const rec = bytes(1000)
  assert.ok(encodeShareResponseParts({ records: [rec], refused: [] }).includes(rec))
})
