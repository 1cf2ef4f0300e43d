/**
 * Verifying a signed BenchmarkResult end to end (specs/evaluation-v1.md §8): the cryptography first, then who
 * signed it, then the numbers, then the bindings to suite, model commitment and model file. Every check is
 * reported; the result is verified iff all of them pass.
 */
import type { DecodedRecord, TrustState } from '../../protocol/index.ts'
import { decodeRecord } from '../../protocol/index.ts'
import type { Check } from './verify.ts'
import { checkAgainstSuite, checkMethod, checkScores, checkWeightsRoot } from './verify.ts'
import type { SuiteItem } from './suite.ts'

export interface VerifyContext {
  trust?: TrustState
  /** Items of the result's suite when the verifier holds it. */
  suiteItems?: (suiteId: string) => Promise<SuiteItem[] | undefined>
  /** The ModelCommitment record bytes when the verifier holds them. */
  getRecord?: (id: string) => Promise<Uint8Array | undefined>
  /** Weights root recomputed from a model file the verifier holds, and where it came from. */
  modelWeightsRoot?: { root: Uint8Array; source: string }
}

export interface Verification {
  ok: boolean
  checks: Check[]
  record?: DecodedRecord<'BenchmarkResult'>
}

const SIGNATURE_CODES = new Set(['bad_signature', 'weak_key'])

export async function verifyResult(bytes: Uint8Array, ctx: VerifyContext = {}): Promise<Verification> {
  const checks: Check[] = []
  const done = (record?: DecodedRecord<'BenchmarkResult'>): Verification => ({ ok: checks.every((c) => c.ok), checks, ...(record ? { record } : {}) })
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
  }
  const body = rec.body
  checks.push(checkMethod(body))
  const suiteId = body.suite.toString()
  const items = await ctx.suiteItems?.(suiteId)
  if (items !== undefined) checks.push(checkAgainstSuite(body, items))
  checks.push(checkScores(body))
  const modelId = body.model.toString()
  const mbytes = await ctx.getRecord?.(modelId)
  if (mbytes !== undefined) {
    const m = decodeRecord(mbytes)
    if (m.action !== 'accept' || m.record.type !== 'ModelCommitment') checks.push({ name: 'model', ok: false, detail: `record ${modelId} is not a valid ModelCommitment` })
    else checks.push(checkWeightsRoot('model', body, (m.record as DecodedRecord<'ModelCommitment'>).body.weights_root, `ModelCommitment ${modelId}`))
  }
  if (ctx.modelWeightsRoot !== undefined) checks.push(checkWeightsRoot('weights', body, ctx.modelWeightsRoot.root, ctx.modelWeightsRoot.source))
  return done(rec)
}
