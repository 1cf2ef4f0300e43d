/**
 * A GGUF model on the llama.cpp backend as an EvalEngine (specs/gguf-commitment.md §5): text is tokenised by the
 * model's own tokenizer — context as BOS + tokens(context), each continuation separately — so the kernels Engine
 * prefills the context once and scores both continuations from its cache; the likelihood rule divides by bytes.
 * In-process: llama.cpp decodes on its own native threads, so the event loop is not blocked while it computes.
 */
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { basename } from 'node:path'
import { Engine, createLlamaBackend, ggufConfig, NODE_LLAMA_CPP_VERSION } from '../../kernels/index.ts'
import type { LlamaBackend, LlamaOptions } from '../../kernels/index.ts'
import type { ModelCommitmentBody, ParamValue } from '../../protocol/index.ts'
import { commitGguf } from '../model/gguf-root.ts'
import { COMMIT_READ_BYTES } from '../model/weights-root.ts'
import type { EngineInfo, EvalEngine, GenerateOptions } from './engine.ts'
import { InferenceLog } from './inference-log.ts'
import type { AuditableEngine } from './inference-log.ts'
import type { InferenceAudit } from './local-engine.ts'
import { promptContext } from './scoring.ts'

export class LlamaEvalEngine implements EvalEngine, AuditableEngine {
  readonly canScore = true
  private readonly engine: Engine
  private readonly inferences = new InferenceLog()

  constructor(private readonly backend: LlamaBackend, readonly info: EngineInfo) {
    this.engine = new Engine(backend)
  }

  /** When set, every call appends an inference entry to the site's audit log (audit-v1 §5.1), as the local engine's. */
  get audit(): InferenceAudit | undefined {
    return this.inferences.audit
  }

  set audit(a: InferenceAudit | undefined) {
    this.inferences.audit = a
  }

  flushAudit(): Promise<void> {
    return this.inferences.flushAudit()
  }

  async scoreContinuations(context: string, continuations: readonly string[]): Promise<number[]> {
    const prompt = this.backend.tokenize(context, true)
    const scores = await this.engine.scoreContinuations(prompt, continuations.map((c) => this.backend.tokenize(c, false)))
    await this.inferences.logged({
      operation: 'score', model: this.info.model_name, caller: 'local:eval', inputTokens: prompt.length, outputTokens: 0, finishReasons: ['stop'],
      prompt: JSON.stringify([context, ...continuations]), output: JSON.stringify(scores),
    })
    return scores
  }

  /** specs/evaluation-v1.md §4.2: the reply bytes are the UTF-8 encoding of the detokenised text (as for external engines). */
  async generate(prompt: string, opts: GenerateOptions): Promise<Uint8Array> {
    const out: number[] = []
    const tokens = this.backend.tokenize(promptContext(prompt), true)
    let stopped = false
    for await (const t of this.engine.generate(tokens, { maxTokens: opts.maxTokens, temperature: opts.temperature, seed: opts.seed })) {
      if (this.backend.isEndToken(t)) { stopped = true; break }
      out.push(t)
    }
    const text = this.backend.detokenize(out)
    await this.inferences.logged({
      operation: 'generate_content', model: this.info.model_name, caller: 'local:eval', inputTokens: tokens.length, outputTokens: out.length,
      finishReasons: [stopped || out.length < opts.maxTokens ? 'stop' : 'length'], prompt, output: text,
    })
    return new TextEncoder().encode(text)
  }

  async close(): Promise<void> {
    await this.inferences.flushAudit()
    await this.backend.dispose()
  }
}

/** The GGUF file's header bytes [0, data_start): what config_sha256 covers (specs/gguf-commitment.md §2.1). */
function headerSha256(path: string, dataStart: number): Uint8Array {
  const fd = openSync(path, 'r')
  try {
    const hash = createHash('sha256')
    const buf = Buffer.allocUnsafe(1 << 20)
    for (let pos = 0; pos < dataStart;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, dataStart - pos), pos)
      if (n === 0) break
      hash.update(buf.subarray(0, n))
      pos += n
    }
    return new Uint8Array(hash.digest())
  } finally {
    closeSync(fd)
  }
}

/** The ModelCommitment body of a GGUF file (specs/gguf-commitment.md §2.1). */
export async function ggufCommitmentBody(path: string, name = basename(path).replace(/\.gguf$/i, '')): Promise<ModelCommitmentBody> {
  const c = await commitGguf(path, COMMIT_READ_BYTES)
  const config = ggufConfig(c.header)
  const tokenizer = c.header.metadata.get('tokenizer.ggml.model')?.value
  const architecture: Record<string, ParamValue> = {
    family: 'gguf', gguf_architecture: c.architecture, tokenizer: typeof tokenizer === 'string' ? tokenizer : 'none',
    vocab_size: config.vocab, hidden_size: config.dim, num_hidden_layers: config.layers, num_attention_heads: config.heads,
    num_key_value_heads: config.kvHeads, num_local_experts: config.experts, num_experts_per_tok: config.topK,
  }
  return {
    name, weights_root: c.weightsRoot, config_sha256: headerSha256(path, c.header.dataStart), architecture,
    params_total: c.paramsTotal, params_active_per_token: c.paramsActivePerToken,
  }
}

/** The engine label of the llama.cpp backend in BenchmarkResult.engine. */
export const LLAMA_ENGINE_VERSION = `node-llama-cpp/${NODE_LLAMA_CPP_VERSION}`

/** Opens a GGUF file on the llama.cpp backend and computes its commitment body. */
export async function openLlamaEngine(path: string, options: LlamaOptions = {}): Promise<{ engine: LlamaEvalEngine; commitment: ModelCommitmentBody }> {
  const commitment = await ggufCommitmentBody(path)
  const backend = await createLlamaBackend(path, options)
  return { engine: new LlamaEvalEngine(backend, { backend: 'llama', version: LLAMA_ENGINE_VERSION, model_name: commitment.name }), commitment }
}
