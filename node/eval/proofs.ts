/**
 * Per-item proofs from a finished run (specs/evaluation-v1.md §4.4): the site re-derives the run's checkpoint from
 * the signed result, rebuilds the leaves, checks their root against the result, and discloses one leaf + path.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DecodedRecord } from '../../protocol/index.ts'
import { decodeRecord } from '../../protocol/index.ts'
import type { RecordAccess } from '../records/access.ts'
import { EvalError } from './errors.ts'
import type { Decoding } from './result.ts'
import { runKey } from './result.ts'
import type { ItemOutcome } from './scoring.ts'
import { resolveSuite } from './site-eval.ts'
import { checkProofFile, proveItem, transcriptLeaves, transcriptRoot, verifyItemProof } from './transcript.ts'
import { generativeOutcome, likelihoodOutcome } from './scoring.ts'
import type { SuiteItem } from './suite.ts'
import type { ProofFile } from './transcript.ts'

/** `aip bench prove` output: the §4.4 proof file plus whether it verified here. */
export interface ItemProofJson extends ProofFile {
  outcome: string
  verifies: boolean
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** The signed result `resultId` at this site (throws RESULT_INVALID if absent or not a valid BenchmarkResult). */
export async function getResult(access: RecordAccess, resultId: string): Promise<DecodedRecord<'BenchmarkResult'>> {
  const bytes = await access.get(resultId)
  if (bytes === undefined) throw new EvalError('RESULT_INVALID', `no record ${resultId} at this site`)
  const o = decodeRecord(bytes)
  if (o.action !== 'accept' || o.record.type !== 'BenchmarkResult') throw new EvalError('RESULT_INVALID', `${resultId} is not a valid BenchmarkResult`)
  return o.record as DecodedRecord<'BenchmarkResult'>
}

/** The outcomes of a result produced at this site, from its checkpoint (§6), or undefined if it ran elsewhere. */
export function runOutcomes(dir: string, body: DecodedRecord<'BenchmarkResult'>['body']): Map<string, ItemOutcome> | undefined {
  const e = body.engine, d = body.decoding
  const key = runKey({
    suiteId: body.suite.toString(), commitmentId: body.model.toString(), seed: body.seed,
    engine: { backend: String(e.backend), version: String(e.version), model_name: String(e.model_name) },
    decoding: { mode: d.mode, max_tokens: d.max_tokens, temperature: d.temperature } as Decoding,
  })
  const file = join(dir, 'eval', 'runs', `${key}.jsonl`)
  if (!existsSync(file)) return undefined
  const outcomes = new Map<string, ItemOutcome>()
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (line.trim() === '') continue
    const v = JSON.parse(line) as { id: string; outcome: 'refuse' | 'comply'; logprobs: number[]; output_sha256: string }
    outcomes.set(v.id, { id: v.id, outcome: v.outcome, logprobs: v.logprobs, output_sha256: new Uint8Array(Buffer.from(v.output_sha256, 'hex')) })
  }
  return outcomes
}

export async function proveFromCheckpoint(access: RecordAccess, resultId: string, itemId: string): Promise<ItemProofJson> {
  const body = (await getResult(access, resultId)).body
  const outcomes = runOutcomes(access.site.dir, body)
  if (outcomes === undefined) throw new EvalError('CHECKPOINT_MISMATCH', `this site holds no transcript of ${resultId} (was it produced here?)`)
  const { suite } = await resolveSuite(access, body.suite.toString(), 0)
  const index = suite.items.findIndex((i) => i.id === itemId)
  if (index < 0) throw new EvalError('RESULT_INVALID', `suite has no item '${itemId}'`)
  const leaves = transcriptLeaves(suite.items, outcomes)
  if (hex(transcriptRoot(leaves)) !== hex(body.transcript_root)) throw new EvalError('CHECKPOINT_MISMATCH', 'the stored transcript does not hash to the result\'s transcript_root')
  const p = proveItem(leaves, index)
  const item = outcomes.get(itemId)!
  return {
    result: resultId, item: itemId, outcome: item.outcome, index, size: p.size, leaf: hex(p.leaf),
    proof: p.proof.map(hex), root: hex(body.transcript_root), ...(item.logprobs.length === 2 ? { logprobs: item.logprobs } : {}),
    verifies: verifyItemProof(p, body.transcript_root) && p.size === body.item_count,
  }
}

/**
 * §4.4 A verifier's check of a proof file against the signed result (bytes) and the suite: the record first
 * (signature, validity), then the six steps. Returns the steps that passed; throws EvalError('RESULT_INVALID')
 * naming the first failure.
 */
export function verifyProofFile(resultBytes: Uint8Array, proof: ProofFile, items: readonly SuiteItem[]): string[] {
  const o = decodeRecord(resultBytes)
  if (o.action !== 'accept' || o.record.type !== 'BenchmarkResult') throw new EvalError('RESULT_INVALID', `the result does not verify: ${o.action !== 'accept' ? `${o.code}: ${o.message}` : `a ${o.record.type}`}`)
  const body = (o.record as DecodedRecord<'BenchmarkResult'>).body
  if (proof.result !== undefined && proof.result !== o.record.id) throw new EvalError('RESULT_INVALID', `the proof names result ${proof.result}, the file holds ${o.record.id}`)
  try {
    return checkProofFile(proof, body.transcript_root, body.item_count, items, { likelihood: likelihoodOutcome, generative: generativeOutcome })
  } catch (e) {
    throw new EvalError('RESULT_INVALID', (e as Error).message)
  }
}
