import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  consistencyProof, inclusionPath, inclusionProof, leafHash, merkleRoot, MerkleProofError, rangeHash, rootFromConsistencyProof, subtreesOf,
  verifyConsistencyProof, verifyInclusionProof,
} from '../../protocol/merkle.ts'

const leaves = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`leaf-${i}`))
const D = leaves(40)
const H = D.map(leafHash)
const sub = subtreesOf(H)
const root = (n: number) => merkleRoot(D.slice(0, n))
const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    if (e instanceof MerkleProofError) return e.code
    throw e
  }
  return 'ok'
}

test('rangeHash over subtrees equals the recursive MTH; inclusionPath equals inclusionProof', () => {
  for (let n = 0; n <= 40; n++) assert.deepEqual(rangeHash(sub, 0, n), root(n), `n=${n}`)
  for (let n = 1; n <= 40; n += 3) for (let i = 0; i < n; i++) {
    const p = inclusionPath(sub, i, n)
    assert.deepEqual(p, inclusionProof(D.slice(0, n), i))
    verifyInclusionProof(H[i]!, i, n, p, root(n))
  }
})

test('every consistency proof between sizes 1..40 verifies; a wrong root or hash does not', () => {
  for (let n = 1; n <= 40; n++) for (let m = 1; m <= n; m++) {
    const p = consistencyProof(sub, m, n)
    verifyConsistencyProof(m, n, p, root(m), root(n))
    assert.deepEqual(rootFromConsistencyProof(m, n, p, root(m)), root(n))
    if (m < n) {
      assert.equal(code(() => verifyConsistencyProof(m, n, p, root(m), root(n - 1))), 'root_mismatch')
      assert.equal(code(() => verifyConsistencyProof(m, n, p, root(n), root(n))), 'root_mismatch')
      const bad = p.map((h) => Uint8Array.from(h))
      bad[bad.length - 1]![0]! ^= 1
      assert.notEqual(code(() => verifyConsistencyProof(m, n, bad, root(m), root(n))), 'ok', `m=${m} n=${n}`)
    }
  }
})

test('consistency: typed failures for sizes, lengths and hash sizes', () => {
  const p = consistencyProof(sub, 5, 13)
  assert.equal(code(() => verifyConsistencyProof(13, 5, p, root(13), root(5))), 'bad_size')
  assert.equal(code(() => verifyConsistencyProof(5, 13, p.slice(1), root(5), root(13))), 'bad_proof_length')
  assert.equal(code(() => verifyConsistencyProof(5, 13, [...p, p[0]!], root(5), root(13))), 'bad_proof_length')
  assert.equal(code(() => verifyConsistencyProof(5, 13, [], root(5), root(13))), 'bad_proof_length')
  assert.equal(code(() => verifyConsistencyProof(5, 13, [p[0]!.subarray(1), ...p.slice(1)], root(5), root(13))), 'bad_hash_length')
  assert.equal(code(() => verifyConsistencyProof(7, 7, [], root(7), root(7))), 'ok')
  assert.equal(code(() => verifyConsistencyProof(7, 7, [H[0]!], root(7), root(7))), 'bad_proof_length')
  assert.equal(code(() => verifyConsistencyProof(0, 9, [], root(0), root(9))), 'ok')
  assert.equal(code(() => verifyInclusionProof(H[3]!, 9, 9, [], root(9))), 'bad_index')
  assert.equal(code(() => verifyInclusionProof(H[3]!, 3, 9, inclusionPath(sub, 3, 9).slice(1), root(9))), 'bad_proof_length')
  assert.equal(code(() => verifyInclusionProof(H[4]!, 3, 9, inclusionPath(sub, 3, 9), root(9))), 'root_mismatch')
})
