/**
 * Engine: the inference API the node uses, over any Backend (TS reference or onnxruntime).
 *   logits(tokens)                         one row of vocab logits per position
 *   generate(prompt, options)              streams tokens (greedy by default; seeded sampling optional)
 *   scoreContinuations(prompt, conts)      Σ log p(continuation | prompt) per continuation
 * scoreContinuations prefills the prompt once and scores each continuation from a copy of that cache.
 * An Engine serves one request at a time (the worker client queues them).
 */
import type { Backend, BackendFactory, BackendName } from './backend.ts'
import { MAX_LOGITS_ROWS } from './constants.ts'
import type { Model } from './loader.ts'
import { TsBackend } from './ts-backend.ts'
import { mulberry32 } from './random.ts'
import { checkTokens } from './tokenizer.ts'
import { logSoftmaxAt } from './ops.ts'

export interface GenerateOptions {
  maxTokens?: number // default 64
  temperature?: number // 0 (default) = greedy
  topK?: number // sample among the k most likely (default: all); only with temperature > 0
  seed?: number // sampling seed (default 0): the same seed gives the same tokens
  stop?: readonly number[] // token ids that end generation (the stop token is not yielded)
}

/** Largest maxTokens accepted by generate (specs/lasa.md §Constants). */
export const MAX_GENERATE_TOKENS = 65_536

/** Index of the largest value; ties go to the lower index. */
export function argmax(row: Float32Array): number {
  let best = 0
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i
  return best
}

/** Samples from softmax(row / temperature), restricted to the topK largest, with the uniform draw u ∈ [0, 1). */
export function sample(row: Float32Array, temperature: number, topK: number, u: number): number {
  const order = Array.from(row.keys()).sort((a, b) => row[b]! - row[a]! || a - b).slice(0, Math.max(1, Math.min(topK, row.length)))
  const max = row[order[0]!]!
  const p = order.map((i) => Math.exp((row[i]! - max) / temperature))
  const total = p.reduce((a, b) => a + b, 0)
  let acc = 0
  for (let r = 0; r < order.length; r++) {
    acc += p[r]! / total
    if (u < acc) return order[r]!
  }
  return order[order.length - 1]!
}

/** Module specifier of the onnxruntime backend (kernels/ort/index.ts exports createOrtBackend); imported on demand
 * so that TS-only users never load onnxruntime's native library. */
const ORT_MODULE = './ort/index.ts'

/** Builds the named backend for a loaded model; 'ort' loads kernels/ort/ on demand. */
export async function createBackend(name: BackendName, model: Model): Promise<Backend> {
  if (name === 'ts') return new TsBackend(model.config, model.weights)
  if (name === 'llama') throw new Error('the llama backend opens a GGUF file: use createLlamaBackend(path) (kernels/llama/backend.ts)')
  let mod: { createOrtBackend?: BackendFactory }
  try {
    mod = (await import(new URL(ORT_MODULE, import.meta.url).href)) as { createOrtBackend?: BackendFactory }
  } catch (e) {
    throw new Error(`the ort backend is not available: ${(e as Error).message}`, { cause: e })
  }
  if (typeof mod.createOrtBackend !== 'function') throw new Error('the ort backend is not available: kernels/ort/index.ts has no createOrtBackend')
  return mod.createOrtBackend(model)
}

export class Engine {
  constructor(readonly backend: Backend) {}

  get config() {
    return this.backend.config
  }

  /** Logits of every position of `tokens`, from an empty cache. tokens are used exactly as given. */
  async logits(tokens: readonly number[]): Promise<Float32Array[]> {
    if (tokens.length > MAX_LOGITS_ROWS) throw new RangeError(`logits of at most ${MAX_LOGITS_ROWS} tokens per call, got ${tokens.length}`)
    this.backend.reset()
    return this.backend.prefill(tokens, true)
  }

  /** Streams generated token ids after `prompt` (non-empty). */
  async *generate(prompt: readonly number[], options: GenerateOptions = {}): AsyncGenerator<number> {
    const maxTokens = options.maxTokens ?? 64
    if (!Number.isInteger(maxTokens) || maxTokens < 0 || maxTokens > MAX_GENERATE_TOKENS) throw new RangeError(`maxTokens must be an integer in [0, ${MAX_GENERATE_TOKENS}]`)
    const temperature = options.temperature ?? 0
    if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError('temperature must be a finite number ≥ 0')
    const rand = mulberry32(options.seed ?? 0)
    const stop = new Set(options.stop ?? [])
    this.backend.reset()
    let row = (await this.backend.prefill(prompt, false))[0]!
    for (let n = 0; n < maxTokens; n++) {
      const next = temperature === 0 ? argmax(row) : sample(row, temperature, options.topK ?? row.length, rand())
      if (stop.has(next)) return
      yield next
      if (n + 1 < maxTokens) row = await this.backend.step(next)
    }
  }

  /** Summed log-probabilities of each continuation given the prompt (non-empty); an empty continuation scores 0. */
  async scoreContinuations(prompt: readonly number[], continuations: readonly (readonly number[])[]): Promise<number[]> {
    for (const cont of continuations) {
      if (cont.length > MAX_LOGITS_ROWS) throw new RangeError(`a continuation has ${cont.length} tokens; at most ${MAX_LOGITS_ROWS}`)
      checkTokens(cont, this.config.vocab)
    }
    this.backend.reset()
    const last = (await this.backend.prefill(prompt, false))[0]!
    const state = this.backend.snapshot()
    const scores: number[] = []
    for (const cont of continuations) {
      if (cont.length === 0) {
        scores.push(0)
        continue
      }
      let s = logSoftmaxAt(last, cont[0]!)
      if (cont.length === 1) {
        scores.push(s)
        continue
      }
      this.backend.restore(state)
      const rows = await this.backend.prefill(cont.slice(0, -1), true) // the last token's logits are not needed
      for (let i = 1; i < cont.length; i++) s += logSoftmaxAt(rows[i - 1]!, cont[i]!)
      scores.push(s)
    }
    return scores
  }
}
