import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { digestOfId, idOfDigest } from '../../../node/sync/record-ids.ts'

test('digestOfId agrees with the multiformats parser and round-trips with idOfDigest', () => {
  for (let i = 0; i < 500; i++) {
    const d = new Uint8Array(createHash('sha256').update(`id ${i}`).digest())
    const id = idOfDigest(d)
    assert.deepEqual(digestOfId(id), d)
    assert.deepEqual(digestOfId(id), CID.parse(id).multihash.digest)
  }
  const dagCbor = CID.createV1(0x71, CID.parse(idOfDigest(new Uint8Array(32))).multihash).toString()
  assert.throws(() => digestOfId(dagCbor), /not a raw sha2-256 CID/)
  assert.throws(() => digestOfId('bafkreiNOTBASE32!'))
})
