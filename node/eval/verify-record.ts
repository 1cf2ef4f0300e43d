/**
 * Verifying a signed BenchmarkResult end to end (specs/evaluation-v1.md §8): the cryptography first, then who
 * signed it, then the numbers, then the bindings to suite, model commitment and model file. Every check is
 * reported; the result is verified iff all of them pass.
 */
import type { DecodedRecord, TrustState } from '../../protocol/index.ts'
import { decodeRecord } from '../../protocol/index.ts'
import type { Check } from './verify.ts'
import { checkAgainstSuite, checkMethod, checkScores, checkWeightsRoot, skipped } from './verify.ts'
import type { SuiteItem } from './suite.ts'
import type { ItemOutcome } from './scoring.ts'
import { checkTranscript } from './transcript-entries.ts'

export interface VerifyContext {
  trust?: TrustState
  /** Items of the result's suite when the verifier holds it. */
  suiteItems?: (suiteId: string) => Promise<SuiteItem[] | undefined>
  /** The ModelCommitment record bytes when the verifier holds them. */
  getRecord?: (id: string) => Promise<Uint8Array | undefined>
  /** The result's transcript entries (§4.5) when the verifier holds them (check 9). */
  transcript?: (resultId: string) => Promise<ItemOutcome[] | undefined>
  /** Weights root recomputed from a model file the verifier holds, and where it came from. */
  modelWeightsRoot?: { root: Uint8Array; source: string }
}

/**
 * §8 verdicts: `verified` — every check ran or was skipped without failing and the signer is a certified evaluator;
 * `uncertified` — nothing failed but the signer check did not run (no federation state): the signature is valid,
 * the signer is not certified by any federation the verifier trusts; `failed` — some check failed.
 */
export type Verdict = 'verified' | 'uncertified' | 'failed'

export interface Verification {
  /** verdict === 'verified'. */
  ok: boolean
  verdict: Verdict
  checks: Check[]
  record?: DecodedRecord<'BenchmarkResult'>
}

const SIGNATURE_CODES = new Set(['bad_signature', 'weak_key'])

export async function verifyResult(bytes: Uint8Array, ctx: VerifyContext = {}): Promise<Verification> {
  const checks: Check[] = []
  const done = (record?: DecodedRecord<'BenchmarkResult'>): Verification => {
    const verdict: Verdict = !checks.every((c) => c.ok) ? 'failed' : checks.some((c) => c.name === 'signer' && c.skipped !== true) ? 'verified' : 'uncertified'
    return { ok: verdict === 'verified', verdict, checks, ...(record ? { record } : {}) }
  }
  const o = decodeRecord(bytes)
  if (o.action !== 'accept') {
    const isSig = SIGNATURE_CODES.has(o.code)
    checks.push({ name: isSig ? 'signature' : 'record', ok: false, detail: `${o.code}: ${o.message}` })
    return done()
  }
  checks.push({ name: 'signature', ok: true, detail: `Ed25519 signature by ${Buffer.from(o.record.signer).toString('hex').slice(0, 16)}… verifies` })
  if (o.record.type !== 'BenchmarkResult') {
    checks.push({ name: 'record', ok: false, detail: `record ${o.record.id} is a ${o.record.type}, not a BenchmarkResult` })
    return done()
  }
  const rec = o.record as DecodedRecord<'BenchmarkResult'>
  checks.push({ name: 'record', ok: true, detail: `valid BenchmarkResult ${rec.id}` })
  if (ctx.trust !== undefined) {
    const s = ctx.trust.siteStatus(rec.signer, rec.created)
    if (s.status !== 'ok') checks.push({ name: 'signer', ok: false, detail: `the signer is ${s.status === 'unknown' ? 'not certified by this federation' : s.status} at the record's creation time` })
    else if (!s.site.roles.includes('evaluator')) checks.push({ name: 'signer', ok: false, detail: `the signer (${s.site.nation}) lacks the evaluator role` })
    else checks.push({ name: 'signer', ok: true, detail: `certified evaluator of ${s.site.nation}` })
  } else checks.push(skipped('signer', 'no federation state given: the signature is valid, but the signer is not certified by any federation this verifier trusts'))
  const body = rec.body
  checks.push(checkMethod(body))
  const suiteId = body.suite.toString()
  const items = await ctx.suiteItems?.(suiteId)
  checks.push(items !== undefined ? checkAgainstSuite(body, items) : skipped('suite', `the verifier does not hold suite ${suiteId}`))
  checks.push(checkScores(body))
  const modelId = body.model.toString()
  const mbytes = await ctx.getRecord?.(modelId)
  if (mbytes === undefined) checks.push(skipped('model', `the verifier does not hold ModelCommitment ${modelId}`))
  else {
    const m = decodeRecord(mbytes)
    if (m.action !== 'accept' || m.record.type !== 'ModelCommitment') checks.push({ name: 'model', ok: false, detail: `record ${modelId} is not a valid ModelCommitment` })
    else checks.push(checkWeightsRoot('model', body, (m.record as DecodedRecord<'ModelCommitment'>).body.weights_root, `ModelCommitment ${modelId}`))
  }
  checks.push(ctx.modelWeightsRoot !== undefined
    ? checkWeightsRoot('weights', body, ctx.modelWeightsRoot.root, ctx.modelWeightsRoot.source)
    : skipped('weights', 'no model files given (--model DIR recomputes the weights root)'))
  const entries = await ctx.transcript?.(rec.id)
  if (entries === undefined) checks.push(skipped('transcript', 'the verifier holds no transcript of this result (`aip results transcript ID --out FILE` at the publishing site; then --transcript FILE)'))
  else if (items === undefined) checks.push(skipped('transcript', `the transcript needs the suite ${suiteId}, which the verifier does not hold`))
  else checks.push(checkTranscript(body, items, entries))
  return done(rec)
}
