/**
 * The node's own engine (kernels, byte-level tokenizer) as an EvalEngine and as the OpenAI route's RouteEngine.
 * Context and continuations are tokenized separately — BOS + bytes(context), then bytes(continuation) — so the
 * kernels engine prefills each prompt once and scores both continuations from its cache (§4.1, §6).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { BackendName } from '../../kernels/index.ts'
import { BUNDLED_NAME, ensureBundledModel, EngineClient, readConfig, BOS_ID, EOS_ID, decode, encode } from '../../kernels/index.ts'
import type { ModelCommitmentBody, ParamValue } from '../../protocol/index.ts'
import { commitWeights } from '../model/weights-root.ts'
import type { EngineInfo, EvalEngine, GenerateOptions } from './engine.ts'
import type { PromptToken, RouteEngine } from './openai-route.ts'
import { promptContext } from './scoring.ts'

/** The subset of kernels' Engine / EngineClient used here (both satisfy it). */
export interface TokenEngine {
  logits(tokens: readonly number[]): Promise<Float32Array[]>
  scoreContinuations(prompt: readonly number[], continuations: readonly (readonly number[])[]): Promise<number[]>
  generate(prompt: readonly number[], options: { maxTokens?: number; temperature?: number; seed?: number; stop?: readonly number[] }): AsyncIterable<number>
  close?(): Promise<void>
}

/** One inference as the audit log records it (specs/audit-v1.md §5.1; node/audit/site-audit.ts InferenceEvent). */
export interface InferenceRecord {
  operation: 'chat' | 'text_completion' | 'generate_content' | 'score'
  model: string
  weightsRoot: Uint8Array
  caller: string
  inputTokens: number
  outputTokens: number
  finishReasons: string[]
  prompt: string
  output: string
}

/**
 * Where the engine reports each call when an audit log is attached. With `eachCall` (the OpenAI route: an answer
 * leaves only once logged) a call returns after its entry is durable; otherwise (batch evaluation) entries join the
 * log's group commits and `flushAudit()` waits for all of them.
 */
export interface InferenceAudit {
  weightsRoot: Uint8Array
  log(e: InferenceRecord): Promise<unknown>
  eachCall: boolean
}

/** log softmax(row)[index], computed in double precision with the max subtracted. */
function logSoftmaxAt(row: Float32Array, index: number): number {
  let max = -Infinity
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!
  let sum = 0
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max)
  return row[index]! - max - Math.log(sum)
}

export class LocalEngine implements EvalEngine, RouteEngine {
  readonly canScore = true
  /** When set, every generation and scoring call appends an inference entry to the site's audit log (audit-v1 §5.1). */
  audit: InferenceAudit | undefined

  constructor(private readonly engine: TokenEngine, readonly info: EngineInfo) {}

  private pending: Promise<unknown>[] = []

  private async logged(operation: InferenceRecord['operation'], caller: string, prompt: string, inputTokens: number, output: string, outputTokens: number, finish: string): Promise<void> {
    if (this.audit === undefined) return
    const p = this.audit.log({ operation, model: this.info.model_name, weightsRoot: this.audit.weightsRoot, caller, inputTokens, outputTokens, finishReasons: [finish], prompt, output })
    if (this.audit.eachCall) await p
    else this.pending.push(p)
  }

  /** Waits until every inference entry appended so far is durable (rejects if one failed). */
  async flushAudit(): Promise<void> {
    const p = this.pending
    this.pending = []
    await Promise.all(p)
  }

  get modelName(): string {
    return this.info.model_name
  }

  async scoreContinuations(context: string, continuations: readonly string[]): Promise<number[]> {
    const prompt = encode(context, true)
    const scores = await this.engine.scoreContinuations(prompt, continuations.map((c) => encode(c)))
    await this.logged('score', 'local:eval', JSON.stringify([context, ...continuations]), prompt.length, JSON.stringify(scores), 0, 'stop')
    return scores
  }

  private async run(operation: InferenceRecord['operation'], caller: string, text: string, prompt: number[], maxTokens: number, temperature: number, seed: number): Promise<string> {
    const out: number[] = []
    for await (const t of this.engine.generate(prompt, { maxTokens, temperature, seed, stop: [EOS_ID] })) out.push(t)
    const reply = decode(out)
    await this.logged(operation, caller, text, prompt.length, reply, out.length, out.length < maxTokens ? 'stop' : 'length')
    return reply
  }

  /** §4.0: the reply to a user prompt continues the template "User: …\nAssistant: ". */
  generate(prompt: string, opts: GenerateOptions): Promise<string> {
    return this.run('generate_content', 'local:eval', prompt, encode(promptContext(prompt), true), opts.maxTokens, opts.temperature, opts.seed)
  }

  chat(prompt: string, maxTokens: number): Promise<string> {
    return this.run('chat', 'local:openai-route', prompt, encode(promptContext(prompt), true), maxTokens, 0, 0)
  }

  complete(text: string, maxTokens: number): Promise<string> {
    return this.run('text_completion', 'local:openai-route', text, encode(text, true), maxTokens, 0, 0)
  }

  /** Each byte of `text` with log p(byte | BOS, preceding bytes), from one full prefill. */
  async promptLogprobs(text: string): Promise<PromptToken[]> {
    const tokens = encode(text, true)
    if (tokens[0] !== BOS_ID) throw new Error('tokenizer did not prepend BOS')
    const rows = await this.engine.logits(tokens)
    const out: PromptToken[] = []
    for (let i = 1; i < tokens.length; i++) out.push({ start: i - 1, end: i, logprob: logSoftmaxAt(rows[i - 1]!, tokens[i]!) })
    await this.logged('score', 'local:openai-route', text, tokens.length, JSON.stringify(out.map((t) => t.logprob)), 0, 'stop')
    return out
  }

  async close(): Promise<void> {
    await this.flushAudit()
    await this.engine.close?.()
  }
}

/** The kernels package's version label written into BenchmarkResult.engine.version. */
export const KERNELS_VERSION = 'aip-kernels/1'

/** Weights root of a model directory or file (node/model's streaming RFC 9162 commitment). */
export async function modelWeightsRoot(path: string): Promise<Uint8Array> {
  return (await commitWeights(path)).weightsRoot
}

/** The ModelCommitment body of a local model directory (weights root, config hash, architecture, counts). */
export async function commitmentBody(dir: string, name: string): Promise<ModelCommitmentBody> {
  const c = await commitWeights(dir)
  const configBytes = readFileSync(join(dir, 'config.json'))
  const config = readConfig(dir)
  const architecture: Record<string, ParamValue> = {
    family: config.lasa ? 'mixtral-lasa' : 'mixtral',
    vocab_size: config.vocab, hidden_size: config.dim, intermediate_size: config.hidden, num_hidden_layers: config.layers,
    num_attention_heads: config.heads, num_key_value_heads: config.kvHeads, num_local_experts: config.experts,
    num_experts_per_tok: config.topK, rms_norm_eps: String(config.eps), tokenizer: 'bytes-v1',
  }
  if (config.lasa) {
    architecture.lasa_window = Math.max(...config.window)
    architecture.lasa_global_tokens = config.globals
  }
  return {
    name, weights_root: c.weightsRoot, config_sha256: new Uint8Array(createHash('sha256').update(configBytes).digest()), architecture,
    params_total: c.paramsTotal, params_active_per_token: c.paramsActivePerToken,
  }
}

/**
 * Opens the engine for a model directory (default: the bundled model) on a backend, in a worker thread, and
 * computes the model's commitment body.
 */
export async function openLocalEngine(modelDir: string | undefined, backend: BackendName): Promise<{ engine: LocalEngine; commitment: ModelCommitmentBody; dir: string }> {
  const dir = modelDir ?? (await ensureBundledModel())
  const name = modelDir === undefined ? BUNDLED_NAME : basename(dir.replace(/\/+$/, ''))
  const commitment = await commitmentBody(dir, name)
  const client = await EngineClient.open({ model: dir, backend })
  return { engine: new LocalEngine(client, { backend, version: KERNELS_VERSION, model_name: name }), commitment, dir }
}
