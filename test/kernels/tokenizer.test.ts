import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BOS_ID, decode, encode, EOS_ID, StreamDecoder } from '../../kernels/tokenizer.ts'

test('byte-level tokenizer: UTF-8 bytes, BOS 256, EOS 257, specials skipped on decode', () => {
  assert.deepEqual(encode('hé'), [0x68, 0xc3, 0xa9])
  assert.deepEqual(encode('a', true), [BOS_ID, 0x61])
  assert.equal(BOS_ID, 256)
  assert.equal(EOS_ID, 257)
  const text = 'Grüezi 安全 🙂 Ελλάδα'
  assert.equal(decode(encode(text, true)), text)
  assert.equal(decode([0x61, EOS_ID, 0x62]), 'ab')
  assert.equal(decode([0xff]), '\ufffd')
})

test('StreamDecoder holds back a partial multi-byte character', () => {
  const d = new StreamDecoder()
  const parts = encode('€!').map((t) => d.push(t))
  assert.deepEqual(parts, ['', '', '€', '!'])
  assert.equal(d.push(BOS_ID), '')
  assert.equal(d.flush(), '')
})
