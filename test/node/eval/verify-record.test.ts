import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRecord, devFederation, generateSigningKey, TrustState } from '../../../protocol/index.ts'
import { buildResultBody } from '../../../node/eval/result.ts'
import type { ItemOutcome } from '../../../node/eval/scoring.ts'
import { likelihoodOutcome } from '../../../node/eval/scoring.ts'
import { bundledSuite } from '../../../node/eval/suite-records.ts'
import { verifyResult } from '../../../node/eval/verify-record.ts'

const NOW = Date.UTC(2026, 10, 27, 12)
const seed = (n: number) => new Uint8Array(32).fill(n)
const root = generateSigningKey(seed(1)), site = generateSigningKey(seed(2)), stranger = generateSigningKey(seed(3))
const fed = devFederation({ nation: 'CH', rootKey: root, siteKey: site, created: NOW - 1000 })
const trust = new TrustState(fed.charter.id)
trust.apply(fed.charter)
trust.apply(fed.certificate)

const { suite, records } = bundledSuite()
const items = suite.items
const outcomes = new Map<string, ItemOutcome>(items.map((it, i) => {
  const mR = -1_000 * (i % 7 + 1), mC = -1_000 * (i % 5 + 1)
  return [it.id, { id: it.id, outcome: likelihoodOutcome(it, mR, mC), logprobs: [mR, mC], output_sha256: new Uint8Array(0) }]
}))
const entries = items.map((i) => outcomes.get(i.id)!)
const weightsRoot = seed(9)
const commitment = createRecord('ModelCommitment', {
  name: 'm', weights_root: weightsRoot, config_sha256: seed(8), architecture: { family: 'mixtral-lasa' }, params_total: 10, params_active_per_token: 5,
}, site, NOW)
const inputs = { suiteId: records.manifest.id, commitment, engine: { backend: 'ts', version: 'v', model_name: 'm' }, decoding: { mode: 'likelihood' as const, max_tokens: 64, temperature: '0' }, seed: 0 }
const body = buildResultBody(inputs, items, outcomes)
const ctx = {
  trust,
  suiteItems: async (id: string) => (id === records.manifest.id ? items : undefined),
  getRecord: async (id: string) => (id === commitment.id ? commitment.bytes : undefined),
  modelWeightsRoot: { root: weightsRoot, source: 'model.safetensors' },
  transcript: async () => entries,
}

test('a signed result verifies: signature, record, certified evaluator, method, suite, scores, commitment, weights', async () => {
  const r = createRecord('BenchmarkResult', body, site, NOW)
  const v = await verifyResult(r.bytes, ctx)
  assert.deepEqual(v.checks.map((c) => [c.name, c.ok]), [['signature', true], ['record', true], ['signer', true], ['method', true], ['suite', true], ['scores', true], ['model', true], ['weights', true], ['transcript', true]])
  assert.ok(v.ok)
  assert.equal(v.verdict, 'verified')
})

test('§8 every check is reported: missing inputs are skipped with their reason; a throwaway key is not "verified"', async () => {
  const r = createRecord('BenchmarkResult', body, stranger, NOW)
  const bare = await verifyResult(r.bytes)
  assert.deepEqual(bare.checks.map((c) => [c.name, c.skipped ?? false]), [['signature', false], ['record', false], ['signer', true], ['method', false], ['suite', true], ['scores', false], ['model', true], ['weights', true], ['transcript', true]])
  for (const c of bare.checks.filter((x) => x.skipped)) assert.match(c.detail, /^skipped: /)
  assert.equal(bare.verdict, 'uncertified')
  assert.equal((await verifyResult(r.bytes, { trust })).verdict, 'failed')
})

test('the result binds weights_root: another model file, another commitment, a stranger signer, flipped bytes all fail by name', async () => {
  const otherModel = await verifyResult(createRecord('BenchmarkResult', body, site, NOW).bytes, { ...ctx, modelWeightsRoot: { root: seed(10), source: 'other.safetensors' } })
  assert.deepEqual(otherModel.checks.filter((c) => !c.ok).map((c) => c.name), ['weights'])
  const lying = await verifyResult(createRecord('BenchmarkResult', { ...body, weights_root: seed(10) }, site, NOW).bytes, ctx)
  assert.deepEqual(lying.checks.filter((c) => !c.ok).map((c) => c.name), ['model', 'weights'])
  const strangers = await verifyResult(createRecord('BenchmarkResult', body, stranger, NOW).bytes, ctx)
  assert.deepEqual(strangers.checks.filter((c) => !c.ok).map((c) => c.name), ['signer'])
  const inflated = await verifyResult(createRecord('BenchmarkResult', { ...body, overall_ppm: body.overall_ppm + 1 }, site, NOW).bytes, ctx)
  assert.match(inflated.checks.find((c) => c.name === 'scores')!.detail, /overall_ppm/)
  const bytes = createRecord('BenchmarkResult', body, site, NOW).bytes.slice()
  bytes[bytes.length - 70]! ^= 1
  const flipped = await verifyResult(bytes, ctx)
  assert.equal(flipped.ok, false)
  assert.ok(['signature', 'record'].includes(flipped.checks[0]!.name) && !flipped.checks[0]!.ok)
  const notAResult = await verifyResult(commitment.bytes, ctx)
  assert.match(notAResult.checks.find((c) => !c.ok)!.detail, /is a ModelCommitment, not a BenchmarkResult/)
})

test('the committed real-result vector verifies here too, including against the bundled model file', async () => {
  const { readFileSync } = await import('node:fs')
  const { modelWeightsRoot } = await import('../../../node/eval/local-engine.ts')
  const { ensureBundledModel } = await import('../../../kernels/bundled.ts')
  const { transcriptLeaves, transcriptRoot } = await import('../../../node/eval/transcript.ts')
  const v = JSON.parse(readFileSync(new URL('../../../specs/vectors/evaluation-v1/result.json', import.meta.url), 'utf8')) as {
    result_cose: string; commitment_cose: string; result_id: string; outcomes: Array<{ id: string; outcome: 'refuse' | 'comply'; logprobs: number[]; output_sha256: string }>
    ts_outcomes: Array<{ id: string; outcome: 'refuse' | 'comply'; logprobs: number[]; output_sha256: string }>
  }
  const commitmentBytes = new Uint8Array(Buffer.from(v.commitment_cose, 'hex'))
  const entriesOf = (list: typeof v.outcomes) => list.map((o) => ({ ...o, output_sha256: new Uint8Array(Buffer.from(o.output_sha256, 'hex')) }))
  const res = await verifyResult(new Uint8Array(Buffer.from(v.result_cose, 'hex')), {
    transcript: async () => entriesOf(v.outcomes),
    suiteItems: async (id) => (id === records.manifest.id ? items : undefined),
    getRecord: async () => commitmentBytes,
    modelWeightsRoot: { root: await modelWeightsRoot(await ensureBundledModel()), source: 'the bundled model' },
  })
  assert.deepEqual(res.checks.map((c) => [c.name, c.ok, c.skipped ?? false]), [['signature', true, false], ['record', true, false], ['signer', true, true], ['method', true, false], ['suite', true, false], ['scores', true, false], ['model', true, false], ['weights', true, false], ['transcript', true, false]])
  // §8: nothing failed, but no federation vouches for the signer — never "verified" on a signature alone.
  assert.equal(res.verdict, 'uncertified')
  assert.equal(res.ok, false)
  assert.equal(res.record!.id, v.result_id)
  const outs = new Map(v.outcomes.map((o) => [o.id, { ...o, output_sha256: new Uint8Array(Buffer.from(o.output_sha256, 'hex')) }]))
  assert.deepEqual(transcriptRoot(transcriptLeaves(items, outs)), res.record!.body.transcript_root)
  // §6.1 the TS backend's entries of the same run: other log-probabilities, same outcomes, same root — check 9 passes.
  const { checkTranscript } = await import('../../../node/eval/transcript-entries.ts')
  assert.ok(v.ts_outcomes.some((o, i) => o.logprobs.join() !== v.outcomes[i]!.logprobs.join()))
  assert.equal(checkTranscript(res.record!.body, items, entriesOf(v.ts_outcomes)).ok, true)
  const forged = entriesOf(v.outcomes)
  forged[3] = { ...forged[3]!, outcome: forged[3]!.outcome === 'refuse' ? 'comply' : 'refuse' }
  assert.match(checkTranscript(res.record!.body, items, forged).detail, /give (refuse|comply), the entry says/)
})
