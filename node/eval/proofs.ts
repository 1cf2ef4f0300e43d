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
import { proveItem, transcriptLeaves, transcriptRoot, verifyItemProof } from './transcript.ts'

export interface ItemProofJson {
  result: string
  item: string
  outcome: string
  index: number
  size: number
  leaf: string
  proof: string[]
  root: string
  verifies: boolean
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

export async function proveFromCheckpoint(access: RecordAccess, resultId: string, itemId: string): Promise<ItemProofJson> {
  const bytes = await access.get(resultId)
  if (bytes === undefined) throw new EvalError('RESULT_INVALID', `no record ${resultId} at this site`)
  const o = decodeRecord(bytes)
  if (o.action !== 'accept' || o.record.type !== 'BenchmarkResult') throw new EvalError('RESULT_INVALID', `${resultId} is not a valid BenchmarkResult`)
  const body = (o.record as DecodedRecord<'BenchmarkResult'>).body
  const e = body.engine, d = body.decoding
  const key = runKey({
    suiteId: body.suite.toString(), commitmentId: body.model.toString(), seed: body.seed,
    engine: { backend: String(e.backend), version: String(e.version), model_name: String(e.model_name) },
    decoding: { mode: d.mode, max_tokens: d.max_tokens, temperature: d.temperature } as Decoding,
  })
  const file = join(access.site.dir, 'eval', 'runs', `${key}.jsonl`)
  if (!existsSync(file)) throw new EvalError('CHECKPOINT_MISMATCH', `this site holds no transcript of ${resultId} (was it produced here?)`)
  const outcomes = new Map<string, ItemOutcome>()
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (line.trim() === '') continue
    const v = JSON.parse(line) as { id: string; outcome: 'refuse' | 'comply'; logprobs: number[]; output_sha256: string }
    outcomes.set(v.id, { id: v.id, outcome: v.outcome, logprobs: v.logprobs, output_sha256: new Uint8Array(Buffer.from(v.output_sha256, 'hex')) })
  }
  const { suite } = await resolveSuite(access, body.suite.toString(), 0)
  const index = suite.items.findIndex((i) => i.id === itemId)
  if (index < 0) throw new EvalError('RESULT_INVALID', `suite has no item '${itemId}'`)
  const leaves = transcriptLeaves(suite.items, outcomes)
  if (hex(transcriptRoot(leaves)) !== hex(body.transcript_root)) throw new EvalError('CHECKPOINT_MISMATCH', 'the stored transcript does not hash to the result\'s transcript_root')
  const p = proveItem(leaves, index)
  return {
    result: resultId, item: itemId, outcome: outcomes.get(itemId)!.outcome, index, size: p.size, leaf: hex(p.leaf),
    proof: p.proof.map(hex), root: hex(body.transcript_root), verifies: verifyItemProof(p, body.transcript_root) && p.size === body.item_count,
  }
}
