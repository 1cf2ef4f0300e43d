/**
 * One call for "evaluate this site's model and store the signed result" — what `aip bench run` does, for
 * programs (simulations, scripts):
 *
 *   const r = await evaluateSite('/sites/ch', { backend: 'ort' })   // bundled suite, bundled model
 *   r.result?.id, r.result?.bytes                                    // the signed BenchmarkResult
 *
 * Goes through the running node when `aip start` runs on the directory (then the records are gossiped at once).
 */
import type { DecodedRecord } from '../../protocol/index.ts'
import type { BackendName, LlamaOptions } from '../../kernels/index.ts'
import { openRecords } from '../records/access.ts'
import { DEFAULT_ENGINE_CONCURRENCY, DEFAULT_MAX_TOKENS } from './constants.ts'
import type { EvalEngine } from './engine.ts'
import { openLocalEngine } from './local-engine.ts'
import { attachAudit } from '../audit/access.ts'
import { openLlamaEngine } from './llama-engine.ts'
import { OpenAIEngine } from './openai-client.ts'
import type { RunMode } from './runner.ts'
import type { BenchOutcome, ResolvedSuite } from './site-eval.ts'
import { externalCommitmentBody, findOrCreateCommitment, getCommitment, resolveSuite, runBenchmark } from './site-eval.ts'
import { engineAllowlist } from './site-config.ts'

export interface EvaluateOptions {
  /** Suite record ID or JSONL file (default: the bundled suite). */
  suite?: string
  /** Local model directory (default: the bundled model). */
  model?: string
  /** Default 'ort'. */
  backend?: BackendName
  /** Default 'likelihood'. */
  mode?: RunMode
  seed?: number
  maxTokens?: number
  /** External OpenAI-compatible engine instead of a local model; needs engineModel and commitmentId or weightsRootHex. */
  engineUrl?: string
  engineModel?: string
  commitmentId?: string
  weightsRootHex?: string
  onProgress?: (done: number, total: number) => void
  stopAfter?: number
  /** backend 'llama': llama.cpp settings (threads, context size, KV cache type). */
  llama?: LlamaOptions
  /** External engines: items in flight at once (default DEFAULT_ENGINE_CONCURRENCY); local engines run one at a time. */
  concurrency?: number
  now?: () => number
}

export interface Evaluation extends BenchOutcome {
  suite: ResolvedSuite
  commitment: DecodedRecord<'ModelCommitment'>
  via: 'api' | 'store'
}

export async function evaluateSite(dir: string, o: EvaluateOptions = {}): Promise<Evaluation> {
  const now = o.now ?? Date.now
  const access = await openRecords(dir)
  let engine: EvalEngine | undefined
  let detachAudit: (() => Promise<void>) | undefined
  try {
    const suite = await resolveSuite(access, o.suite, now())
    let commitment: DecodedRecord<'ModelCommitment'>
    let active: EvalEngine
    if (o.engineUrl !== undefined) {
      if (o.engineModel === undefined) throw new TypeError('engineUrl needs engineModel')
      if (o.commitmentId !== undefined) commitment = await getCommitment(access, o.commitmentId)
      else if (o.weightsRootHex !== undefined) commitment = await findOrCreateCommitment(access, externalCommitmentBody(o.engineModel, o.weightsRootHex), now())
      else throw new TypeError('engineUrl needs commitmentId or weightsRootHex')
      const external = new OpenAIEngine({ url: o.engineUrl, model: o.engineModel, allowlist: engineAllowlist(access.site.dir) })
      active = engine = external
      // audit-v1 §5.1: an external server's answers are inferences of this site too, under the commitment they are scored as
      detachAudit = await attachAudit(external, dir, commitment.body.weights_root, false)
    } else {
      // --backend llama: a GGUF file through llama.cpp (specs/gguf-commitment.md §5)
      if (o.backend === 'llama' && o.model === undefined) throw new TypeError('the llama backend needs a GGUF model file')
      const local = o.backend === 'llama' ? await openLlamaEngine(o.model!, o.llama) : await openLocalEngine(o.model, o.backend ?? 'ort')
      active = engine = local.engine
      // audit-v1 §5.1: the node's engine logs every call, on the kernels backends as on llama.cpp
      detachAudit = await attachAudit(local.engine, dir, local.commitment.weights_root, false)
      commitment = await findOrCreateCommitment(access, local.commitment, now())
    }
    const r = await runBenchmark({
      access, suite, engine: active, commitment, mode: o.mode ?? 'likelihood', seed: o.seed ?? 0, maxTokens: o.maxTokens ?? DEFAULT_MAX_TOKENS,
      now, onProgress: o.onProgress, stopAfter: o.stopAfter, concurrency: o.engineUrl !== undefined ? o.concurrency ?? DEFAULT_ENGINE_CONCURRENCY : 1,
    })
    return { ...r, suite, commitment, via: access.via }
  } finally {
    await detachAudit?.()
    await engine?.close?.()
    await access.close()
  }
}
