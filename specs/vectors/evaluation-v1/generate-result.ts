/**
 * Writes specs/vectors/evaluation-v1/result.json: a real BenchmarkResult of the bundled model (ORT backend) on the
 * whole bundled suite, signed by a fixed test key at a fixed time, with every item's transcript entry (§4.5) — and
 * the entries of the same run on the TS backend, whose log-probabilities differ in the last digits but whose
 * outcomes and transcript root are identical (§6.1). check.py verifies both independently.
 * Run once from the repository root: node --import tsx specs/vectors/evaluation-v1/generate-result.ts
 * (A golden record of one run: engine.runtime and engine.cpu name the machine it ran on.)
 */
import { writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { createRecord, generateSigningKey } from '../../../protocol/index.ts'
import { openLocalEngine } from '../../../node/eval/local-engine.ts'
import { buildResultBody } from '../../../node/eval/result.ts'
import { runSuite } from '../../../node/eval/runner.ts'
import type { ItemOutcome } from '../../../node/eval/scoring.ts'
import { bundledSuite } from '../../../node/eval/suite-records.ts'
import { transcriptLeaves, transcriptRoot } from '../../../node/eval/transcript.ts'

const CREATED = Date.UTC(2026, 10, 27, 12)
const key = generateSigningKey(new Uint8Array(createHash('sha256').update('AIP evaluation-v1 vector signer').digest()))
const { suite, records } = bundledSuite()
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const entries = (outcomes: Map<string, ItemOutcome>) => suite.items.map((i) => { const o = outcomes.get(i.id)!; return { id: o.id, outcome: o.outcome, logprobs: o.logprobs, output_sha256: hex(o.output_sha256) } })

const ts = await openLocalEngine(undefined, 'ts')
let tsOutcomes: Map<string, ItemOutcome>
try {
  tsOutcomes = await runSuite(ts.engine, suite.items, { mode: 'likelihood', seed: 0 })
} finally {
  await ts.engine.close()
}
const { engine, commitment: body } = await openLocalEngine(undefined, 'ort')
try {
  const commitment = createRecord('ModelCommitment', body, key, CREATED)
  const outcomes = await runSuite(engine, suite.items, { mode: 'likelihood', seed: 0 })
  const inputs = { suiteId: records.manifest.id, commitment, engine: engine.info, decoding: { mode: 'likelihood' as const, max_tokens: 64, temperature: '0' }, seed: 0 }
  const result = createRecord('BenchmarkResult', buildResultBody(inputs, suite.items, outcomes), key, CREATED)
  const tsRoot = transcriptRoot(transcriptLeaves(suite.items, tsOutcomes))
  if (hex(tsRoot) !== hex(result.body.transcript_root)) throw new Error('TS and ORT transcript roots differ')
  writeFileSync(new URL('./result.json', import.meta.url), JSON.stringify({
    description: 'A BenchmarkResult of the bundled model (ORT) on aip-safety-v1, with its transcript entries in suite order (specs/evaluation-v1.md §4-§8), and the entries of the same run on the TS backend (§6.1: same outcomes and transcript root, log-probabilities differing in the last digits). The suite items are node/eval/suites/aip-safety-v1.jsonl.',
    signer: hex(key.publicKey),
    result_id: result.id,
    result_cose: hex(result.bytes),
    commitment_cose: hex(commitment.bytes),
    outcomes: entries(outcomes),
    ts_runtime: ts.engine.info.runtime,
    ts_outcomes: entries(tsOutcomes),
  }) + '\n')
  console.log(`wrote result.json: ${result.id}, overall ${result.body.overall_ppm} ppm, ts root = ort root ${hex(tsRoot)}`)
} finally {
  await engine.close()
}
