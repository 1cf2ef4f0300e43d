/** Record IDs ⇄ the digests the store keys by (protocol/ids.ts): exact inverses; anything not canonical refused. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { recordDigest, recordId, recordIdOfDigest } from '../../protocol/index.ts'

test('recordDigest and recordIdOfDigest are inverses over record IDs', () => {
  for (let i = 0; i < 500; i++) {
    const bytes = Uint8Array.of(i & 0xff, i >> 8, 7)
    const id = recordId(bytes)
    const digest = recordDigest(id)
    assert.deepEqual(digest && Buffer.from(digest), createHash('sha256').update(bytes).digest())
    assert.equal(recordIdOfDigest(digest!), id)
    // the record-ID form is the CID's own string (the store writes links in it without CID.toString)
    assert.equal(CID.createV1(0x55, Digest.create(0x12, digest!)).toString(), id)
  }
})

test('recordDigest refuses what is not the canonical ID of a raw sha2-256 CID', () => {
  const id = recordId(Uint8Array.of(1))
  const dagCbor = CID.createV1(0x71, Digest.create(0x12, createHash('sha256').update('x').digest())).toString()
  const last = id.at(-1)!
  // the last character carries 2 padding bits: a neighbour with them set decodes to the same bytes, and is refused
  const padded = id.slice(0, -1) + 'abcdefghijklmnopqrstuvwxyz234567'['abcdefghijklmnopqrstuvwxyz234567'.indexOf(last) + 1]
  for (const bad of ['', 'x', id.toUpperCase(), id.slice(1), id + 'a', id.slice(0, -1), id.slice(0, -1) + '1', padded, dagCbor, 'B' + id.slice(1)]) {
    assert.equal(recordDigest(bad), undefined, bad)
  }
})
