import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { decodeCanonical } from '../../../protocol/index.ts'
import { proveItem, transcriptLeaf, transcriptRoot, verifyItemProof } from '../../../node/eval/transcript.ts'
import type { ItemOutcome } from '../../../node/eval/scoring.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))

interface Vector { outcomes: Array<{ id: string; outcome: 'refuse' | 'comply'; logprobs: number[]; output_sha256: string }>; leaves: string[]; root: string; proof: { index: number; path: string[] } }
const V = JSON.parse(readFileSync(new URL('../../../specs/vectors/evaluation-v1/transcript.json', import.meta.url), 'utf8')) as Vector
const outcomes: ItemOutcome[] = V.outcomes.map((o) => ({ ...o, output_sha256: unhex(o.output_sha256) }))

test('transcript leaves and root match the committed vector', () => {
  const leaves = outcomes.map(transcriptLeaf)
  assert.deepEqual(leaves.map(hex), V.leaves)
  assert.equal(hex(transcriptRoot(leaves)), V.root)
  // §4.3 revision 2: the leaf commits to [id, outcome, output_sha256]; log-probabilities are evidence beside it.
  assert.deepEqual(decodeCanonical(leaves[0]!), ['vc-en-01', 'refuse', new Uint8Array(0)])
})

test('one item is proven by its inclusion proof; a tampered leaf, index or proof fails', () => {
  const leaves = outcomes.map(transcriptLeaf)
  const root = transcriptRoot(leaves)
  const p = proveItem(leaves, V.proof.index)
  assert.deepEqual(p.proof.map(hex), V.proof.path)
  assert.ok(verifyItemProof(p, root))
  for (let i = 0; i < leaves.length; i++) assert.ok(verifyItemProof(proveItem(leaves, i), root), `item ${i}`)
  const flipped = transcriptLeaf({ ...outcomes[V.proof.index]!, outcome: outcomes[V.proof.index]!.outcome === 'refuse' ? 'comply' : 'refuse' })
  assert.equal(verifyItemProof({ ...p, leaf: flipped }, root), false)
  assert.equal(verifyItemProof({ ...p, index: p.index + 1 }, root), false)
  const badPath = p.proof.map((h) => h.slice())
  badPath[0]![0]! ^= 1
  assert.equal(verifyItemProof({ ...p, proof: badPath }, root), false)
  // The root alone does not fix the tree size (RFC 9162 proofs for sizes 5 and 6 can coincide), which is why
  // §4.4 also requires size === item_count of the signed result.
})

test('leaves reject values outside the spec', () => {
  assert.throws(() => transcriptLeaf({ ...outcomes[0]!, logprobs: [1] }), RangeError)
  assert.throws(() => transcriptLeaf({ ...outcomes[0]!, logprobs: [-0.5] }), RangeError)
  assert.throws(() => transcriptLeaf({ ...outcomes[0]!, output_sha256: new Uint8Array(5) }), RangeError)
})
