/**
 * The llama.cpp backend: any GGUF model llama.cpp runs, through node-llama-cpp (an optional dependency, loaded on
 * first use; its prebuilt CPU binary, never a download or a build). Implements Backend, so Engine's logits,
 * generate and scoreContinuations work unchanged (specs/gguf-commitment.md §5).
 *
 * node-llama-cpp exposes probabilities, not logits: controlledEvaluate(…generateNext.probabilities) returns, per
 * position, the f32 softmax over the whole vocabulary (greedy sampler: no top-k cut). A row here is log p, which is a
 * valid logits row (softmax(log p) = p); what is lost is the logits' additive constant (irrelevant to every use) and
 * precision below f32: a p that underflows to 0 (> ~103 nats under the top token) reads LLAMA_LOGPROB_FLOOR.
 */
import type * as NodeLlamaCppModule from 'node-llama-cpp'
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp'
import type { Backend, BackendState } from '../backend.ts'
import type { Config } from '../config.ts'
import { ModelError } from '../errors.ts'
import { ggufConfig } from '../gguf/config.ts'
import { readGgufFile } from '../gguf/file.ts'
import { checkTokens } from '../tokenizer.ts'
import { LLAMA_BATCH, LLAMA_DEFAULT_CONTEXT, LLAMA_LOGPROB_FLOOR, NODE_LLAMA_CPP_VERSION } from './constants.ts'

export interface LlamaOptions {
  /** CPU threads for llama_decode (default: node-llama-cpp's choice, all cores). */
  threads?: number
  /** KV cache size in tokens (default LLAMA_DEFAULT_CONTEXT, capped by the model's training context). */
  contextSize?: number
  /** KV cache element type: 'f32' (default: matches the TS/ORT engines to 1e-6 on f32 weights) or llama.cpp's 'f16'. */
  kvCache?: 'f32' | 'f16'
}

type NodeLlamaCpp = typeof NodeLlamaCppModule

let runtime: Promise<{ mod: NodeLlamaCpp; llama: Llama }> | undefined

/** Loads node-llama-cpp and its prebuilt binary once per process; every failure says what to do. */
function llamaRuntime(): Promise<{ mod: NodeLlamaCpp; llama: Llama }> {
  runtime ??= (async () => {
    let mod: NodeLlamaCpp
    try {
      mod = await import('node-llama-cpp')
    } catch (e) {
      throw new Error(`the llama backend is not available: the optional package node-llama-cpp is not installed (npm install --save-optional --save-exact node-llama-cpp@${NODE_LLAMA_CPP_VERSION}): ${(e as Error).message}`, { cause: e })
    }
    try {
      // build: 'never' — use the prebuilt binary shipped in @node-llama-cpp/<platform>; never download or compile.
      const llama = await mod.getLlama({ gpu: false, build: 'never', logLevel: mod.LlamaLogLevel.error, progressLogs: false })
      return { mod, llama }
    } catch (e) {
      throw new Error(`the llama backend is not available: node-llama-cpp has no prebuilt llama.cpp binary for ${process.platform}-${process.arch} (nothing is downloaded or built): ${(e as Error).message}`, { cause: e })
    }
  })()
  runtime.catch(() => {
    runtime = undefined
  })
  return runtime
}

interface LlamaState extends BackendState {
  readonly owner: LlamaBackend
}

export class LlamaBackend implements Backend {
  readonly name = 'llama' as const
  private pending: Promise<void> = Promise.resolve()
  private pos = 0

  private constructor(
    readonly config: Config,
    readonly path: string,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
    /** Positions this backend accepts: the requested context (llama.cpp may allocate more). */
    readonly contextSize: number,
  ) {}

  /** Opens a GGUF file: our header checks first (clear ModelErrors), then llama.cpp's loader. */
  static async open(path: string, options: LlamaOptions = {}): Promise<LlamaBackend> {
    const header = readGgufFile(path)
    const { mod, llama } = await llamaRuntime()
    let model: LlamaModel
    try {
      model = await llama.loadModel({ modelPath: path, gpuLayers: 0 })
    } catch (e) {
      throw new ModelError('unsupported_config', `llama.cpp cannot load ${path}: ${(e as Error).message}`)
    }
    let config: Config
    try {
      config = ggufConfig(header)
    } catch (e) {
      await model.dispose()
      throw e
    }
    const contextSize = Math.min(options.contextSize ?? LLAMA_DEFAULT_CONTEXT, model.trainContextSize > 0 ? model.trainContextSize : Infinity)
    const kv = options.kvCache === 'f16' ? mod.GgmlType.F16 : mod.GgmlType.F32
    try {
      const context = await model.createContext({
        contextSize, batchSize: Math.min(LLAMA_BATCH, contextSize), sequences: 1, flashAttention: false,
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv,
      })
      return new LlamaBackend(config, path, model, context, context.getSequence(), Math.min(contextSize, context.contextSize))
    } catch (e) {
      await model.dispose()
      throw new ModelError('unsupported_config', `llama.cpp cannot create a context for ${path}: ${(e as Error).message}`)
    }
  }

  get position(): number {
    return this.pos
  }

  /** The model's own tokenizer: BOS (when the model wants one) + the tokens of `text`, special tokens not parsed. */
  tokenize(text: string, bos: boolean): number[] {
    const ids = this.model.tokenize(text, false) as number[]
    const b = this.model.tokens.bos
    return bos && b !== null && this.model.tokens.shouldPrependBosToken ? [b, ...ids] : ids
  }

  detokenize(tokens: readonly number[]): string {
    return this.model.detokenize(tokens as never)
  }

  /** End-of-generation tokens (EOS, EOT, …) of the model's vocabulary. */
  isEndToken(token: number): boolean {
    return this.model.isEogToken(token as never)
  }

  private logRow(probabilities: Map<number, number> | undefined): Float32Array {
    if (probabilities === undefined) throw new Error('llama.cpp returned no probabilities for a position')
    const row = new Float32Array(this.config.vocab).fill(LLAMA_LOGPROB_FLOOR)
    for (const [id, p] of probabilities) if (id >= 0 && id < row.length && p > 0) row[id] = Math.log(p)
    return row
  }

  async prefill(tokens: readonly number[], all: boolean): Promise<Float32Array[]> {
    if (tokens.length === 0) throw new RangeError('prefill needs at least one token')
    checkTokens(tokens, this.config.vocab)
    if (this.pos + tokens.length > this.contextSize) {
      throw new ModelError('context_too_long', `${this.pos + tokens.length} positions exceed the llama.cpp context of ${this.contextSize} tokens`)
    }
    await this.pending
    const last = tokens.length - 1
    const input = tokens.map((t, i) => (all || i === last ? ([t, { generateNext: { probabilities: true } }] as [number, { generateNext: { probabilities: true } }]) : t))
    const out = await this.sequence.controlledEvaluate(input as never) // no context shift: the length was checked above
    this.pos += tokens.length
    const rows: Float32Array[] = []
    for (let i = all ? 0 : last; i <= last; i++) rows.push(this.logRow(out[i]?.next.probabilities as Map<number, number> | undefined))
    return rows
  }

  async step(token: number): Promise<Float32Array> {
    return (await this.prefill([token], false))[0]!
  }

  snapshot(): LlamaState {
    return { position: this.pos, owner: this }
  }

  /** Rewinds to a snapshot of this sequence: the KV cells after it are erased (before the next evaluation). */
  restore(state: BackendState): void {
    const s = state as LlamaState
    if (s.owner !== this || s.position > this.pos) throw new Error('restore: the state belongs to another backend or to a later position')
    this.truncate(s.position)
  }

  reset(): void {
    this.truncate(0)
  }

  private truncate(position: number): void {
    const end = this.pos
    this.pos = position
    if (position >= end) return
    this.pending = this.pending.then(() => this.sequence.eraseContextTokenRanges([{ start: position, end }]))
  }

  async dispose(): Promise<void> {
    await this.pending.catch(() => undefined)
    await this.context.dispose()
    await this.model.dispose()
  }
}

/** Opens a GGUF model on the llama.cpp backend (kernels/README.md §llama). */
export function createLlamaBackend(path: string, options: LlamaOptions = {}): Promise<LlamaBackend> {
  return LlamaBackend.open(path, options)
}
