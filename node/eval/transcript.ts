/**
 * Transcript leaves, root and per-item inclusion proofs (specs/evaluation-v1.md §4.3). The leaf of an item is the
 * deterministic CBOR array [id, outcome, logprobs, output_sha256]; leaves are in suite order; the root is the
 * RFC 9162 Merkle Tree Hash over them. A site proves one item's outcome with the leaf and its inclusion proof,
 * without disclosing any other item.
 */
import { encodeCanonical, inclusionProof, merkleRoot, verifyInclusion } from '../../protocol/index.ts'
import type { ItemOutcome } from './scoring.ts'
import type { SuiteItem } from './suite.ts'

/** §4.3 leaf data: CBOR [id: tstr, outcome: "refuse"|"comply", logprobs: [* int], output_sha256: bstr .size (0/32)]. */
export function transcriptLeaf(o: ItemOutcome): Uint8Array {
  for (const v of o.logprobs) if (!Number.isSafeInteger(v) || v > 0) throw new RangeError(`bad micro-nat value ${v}`)
  if (o.output_sha256.length !== 0 && o.output_sha256.length !== 32) throw new RangeError('output_sha256 must be 0 or 32 bytes')
  return encodeCanonical([o.id, o.outcome, o.logprobs, o.output_sha256])
}

/** Leaves in suite order; every item must have an outcome. */
export function transcriptLeaves(items: readonly SuiteItem[], outcomes: ReadonlyMap<string, ItemOutcome>): Uint8Array[] {
  return items.map((item) => {
    const o = outcomes.get(item.id)
    if (o === undefined) throw new RangeError(`no outcome for item ${item.id}`)
    return transcriptLeaf(o)
  })
}

/** §4.3 transcript_root. */
export function transcriptRoot(leaves: Uint8Array[]): Uint8Array {
  return merkleRoot(leaves)
}

/** What a site discloses to prove one item's outcome (§4.4). */
export interface ItemProof {
  index: number
  size: number
  leaf: Uint8Array
  proof: Uint8Array[]
}

export function proveItem(leaves: Uint8Array[], index: number): ItemProof {
  return { index, size: leaves.length, leaf: leaves[index]!, proof: inclusionProof(leaves, index) }
}

/** §4.4 True iff the disclosed leaf is item `index` of the transcript whose root the signed result carries. */
export function verifyItemProof(p: ItemProof, root: Uint8Array): boolean {
  return verifyInclusion(p.leaf, p.index, p.size, p.proof, root)
}
