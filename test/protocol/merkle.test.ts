import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { merkleRoot, inclusionProof, verifyInclusion, MerkleBuilder, weightsLeaf, leafHash, nodeHash, sortTensorNames } from '../../protocol/merkle.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const leaves = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`leaf-${i}`))

test('empty tree is SHA-256 of the empty string; one leaf is its leaf hash', () => {
  assert.equal(hex(merkleRoot([])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  assert.equal(hex(merkleRoot([new Uint8Array(0)])), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d')
})

test('RFC 9162 shape: 3 leaves = H(1 || H(1||h0||h1) || h2), 5 leaves split at 4', () => {
  const d = leaves(5)
  const h = d.map(leafHash)
  assert.deepEqual(merkleRoot(d.slice(0, 3)), nodeHash(nodeHash(h[0]!, h[1]!), h[2]!))
  const four = nodeHash(nodeHash(h[0]!, h[1]!), nodeHash(h[2]!, h[3]!))
  assert.deepEqual(merkleRoot(d), nodeHash(four, h[4]!))
  // leaf hash really is sha256(0x00 || data)
  assert.equal(hex(h[0]!), createHash('sha256').update(Buffer.from([0])).update('leaf-0').digest('hex'))
})

test('streaming builder equals the recursive MTH for every size up to 70', () => {
  const d = leaves(70)
  const b = new MerkleBuilder()
  assert.deepEqual(b.root(), merkleRoot([]))
  for (let n = 1; n <= 70; n++) {
    b.push(d[n - 1]!)
    assert.deepEqual(b.root(), merkleRoot(d.slice(0, n)), `n=${n}`)
  }
})

test('every inclusion proof verifies, and any change breaks it', () => {
  for (const n of [1, 2, 3, 5, 8, 13, 33]) {
    const d = leaves(n)
    const root = merkleRoot(d)
    for (let i = 0; i < n; i++) {
      const p = inclusionProof(d, i)
      assert.ok(verifyInclusion(d[i]!, i, n, p, root), `n=${n} i=${i}`)
      assert.ok(!verifyInclusion(new Uint8Array([9]), i, n, p, root))
      if (n > 1) {
        assert.ok(!verifyInclusion(d[i]!, (i + 1) % n, n, p, root))
        const bad = p.map((x) => x.slice())
        bad[0]![0]! ^= 1
        assert.ok(!verifyInclusion(d[i]!, i, n, bad, root))
        assert.ok(!verifyInclusion(d[i]!, i, n, p.slice(1), root))
      }
    }
  }
  assert.throws(() => inclusionProof(leaves(3), 3), RangeError)
})

test('weights leaf is the canonical CBOR [name, dtype, shape, sha256]', () => {
  const digest = new Uint8Array(32).fill(0xab)
  const leaf = weightsLeaf('w', 'F32', [2, 3], digest)
  assert.equal(hex(leaf), '84' + '6177' + '63463332' + '820203' + '5820' + 'ab'.repeat(32))
  assert.deepEqual(sortTensorNames(['b', 'a.weight', 'a', 'B']), ['B', 'a', 'a.weight', 'b'])
  assert.throws(() => sortTensorNames(['a', 'a']), /duplicate/)
})
