/**
 * Transcript leaves, root and per-item inclusion proofs (specs/evaluation-v1.md §4.3). The leaf of an item commits
 * to what two honest runs reproduce bit for bit (§6): the deterministic CBOR array [id, outcome, output_sha256] —
 * not the log-probabilities, which differ in their last digits between machines and backends and are published
 * as evidence beside the root (the transcript entries, §4.5). Leaves are in suite order; the root is the RFC 9162
 * Merkle Tree Hash over them. A site proves one item's outcome with the leaf and its inclusion proof.
 */
import { decodeCanonical, encodeCanonical, inclusionProof, merkleRoot, verifyInclusion } from '../../protocol/index.ts'
import type { ItemOutcome } from './scoring.ts'
import type { SuiteItem } from './suite.ts'

/** §4.3 leaf data: CBOR [id: tstr, outcome: "refuse"|"comply", output_sha256: bstr .size (0/32)]. */
export function transcriptLeaf(o: ItemOutcome): Uint8Array {
  for (const v of o.logprobs) if (!Number.isSafeInteger(v) || v > 0) throw new RangeError(`bad micro-nat value ${v}`)
  if (o.output_sha256.length !== 0 && o.output_sha256.length !== 32) throw new RangeError('output_sha256 must be 0 or 32 bytes')
  return encodeCanonical([o.id, o.outcome, o.output_sha256])
}

/** §4.4 A leaf read back: throws RangeError unless it is the deterministic encoding of a §4.3 leaf. */
export function decodeLeaf(leaf: Uint8Array): { id: string; outcome: 'refuse' | 'comply'; output_sha256: Uint8Array } {
  let v: unknown
  try {
    v = decodeCanonical(leaf)
  } catch (e) {
    throw new RangeError(`leaf is not deterministic CBOR: ${(e as Error).message}`, { cause: e })
  }
  if (!Array.isArray(v) || v.length !== 3) throw new RangeError('leaf is not a 3-element array')
  const [id, outcome, digest] = v as unknown[]
  if (typeof id !== 'string' || (outcome !== 'refuse' && outcome !== 'comply') || !(digest instanceof Uint8Array) || (digest.length !== 0 && digest.length !== 32)) {
    throw new RangeError('leaf is not [id: text, outcome: "refuse"/"comply", output_sha256: 0 or 32 bytes]')
  }
  return { id, outcome, output_sha256: digest }
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

/**
 * §4.4 The proof file `aip bench prove` prints (hex strings for bytes). `logprobs` discloses a likelihood item's
 * micro-nats, `reply` (hex) a generative item's raw reply bytes; both optional.
 */
export interface ProofFile {
  result: string
  item: string
  index: number
  size: number
  leaf: string
  proof: string[]
  root: string
  logprobs?: number[]
  reply?: string
}

const HEX_RE = /^(?:[0-9a-f]{2})*$/
const unhex = (s: string, what: string): Uint8Array => {
  if (typeof s !== 'string' || !HEX_RE.test(s)) throw new RangeError(`${what} is not lower-case hex`)
  return new Uint8Array(Buffer.from(s, 'hex'))
}

/**
 * §4.4 A verifier's steps for one disclosed item, in order; throws RangeError naming the first that fails.
 * `transcriptRoot`, `itemCount`: from the signed result; `items`: the suite (the verifier holds it); `judge`
 * recomputes outcomes (§4.1 likelihood rule, §4.2 generative rule).
 */
export function checkProofFile(
  p: ProofFile, transcriptRootBytes: Uint8Array, itemCount: number, items: readonly SuiteItem[],
  judge: { likelihood: (item: SuiteItem, mR: number, mC: number) => string; generative: (item: SuiteItem, reply: Uint8Array) => { outcome: string; output_sha256: Uint8Array } },
): string[] {
  const done: string[] = []
  if (!Number.isSafeInteger(p.index) || !Number.isSafeInteger(p.size) || p.index < 0 || p.index >= p.size) throw new RangeError('index is not in 0..size-1')
  if (p.size !== itemCount) throw new RangeError(`size ${p.size} differs from the result's item_count ${itemCount}`)
  done.push('size = item_count')
  const leaf = unhex(p.leaf, 'leaf')
  if (!Array.isArray(p.proof)) throw new RangeError('proof is not a list')
  if (!verifyInclusion(leaf, p.index, p.size, p.proof.map((x, i) => unhex(x, `proof[${i}]`)), transcriptRootBytes)) throw new RangeError('the inclusion proof does not lead to the result\'s transcript_root (RFC 9162 §2.1.3.2)')
  done.push('inclusion proof')
  const l = decodeLeaf(leaf)
  done.push('leaf decodes')
  const item = items[p.index]
  if (item === undefined || item.id !== l.id) throw new RangeError(`the suite's item at index ${p.index} is ${item?.id ?? 'missing'}, the leaf names ${l.id}`)
  done.push('suite item at index has the leaf\'s id')
  if (p.logprobs !== undefined) {
    if (item.continuations === undefined || l.output_sha256.length !== 0) throw new RangeError('log-probabilities disclosed for a generative leaf')
    if (!Array.isArray(p.logprobs) || p.logprobs.length !== 2 || !p.logprobs.every((x) => Number.isSafeInteger(x) && x <= 0)) throw new RangeError('logprobs is not [mR, mC] (micro-nats ≤ 0)')
    const o = judge.likelihood(item, p.logprobs[0]!, p.logprobs[1]!)
    if (o !== l.outcome) throw new RangeError(`the disclosed log-probabilities give ${o}, the leaf says ${l.outcome} (§4.1)`)
    done.push('likelihood outcome recomputed')
  }
  if (p.reply !== undefined) {
    const g = judge.generative(item, unhex(p.reply, 'reply'))
    if (Buffer.compare(Buffer.from(g.output_sha256), Buffer.from(l.output_sha256)) !== 0) throw new RangeError('SHA-256 of the disclosed reply differs from the leaf\'s output_sha256')
    if (g.outcome !== l.outcome) throw new RangeError(`the disclosed reply is judged ${g.outcome}, the leaf says ${l.outcome} (§4.2)`)
    done.push('generative outcome recomputed from the reply')
  }
  return done
}
