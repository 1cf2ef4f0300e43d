/**
 * The node's own engine (kernels, byte-level tokenizer) as an EvalEngine and as the OpenAI route's RouteEngine.
 * Context and continuations are tokenized separately — BOS + bytes(context), then bytes(continuation) — so the
 * kernels engine prefills each prompt once and scores both continuations from its cache (§4.1, §6).
 */
import { BOS_ID, EOS_ID, decode, encode } from '../../kernels/tokenizer.ts'
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

  constructor(private readonly engine: TokenEngine, readonly info: EngineInfo) {}

  get modelName(): string {
    return this.info.model_name
  }

  scoreContinuations(context: string, continuations: readonly string[]): Promise<number[]> {
    return this.engine.scoreContinuations(encode(context, true), continuations.map((c) => encode(c)))
  }

  private async run(prompt: number[], maxTokens: number, temperature: number, seed: number): Promise<string> {
    const out: number[] = []
    for await (const t of this.engine.generate(prompt, { maxTokens, temperature, seed, stop: [EOS_ID] })) out.push(t)
    return decode(out)
  }

  /** §4.0: the reply to a user prompt continues the template "User: …\nAssistant: ". */
  generate(prompt: string, opts: GenerateOptions): Promise<string> {
    return this.run(encode(promptContext(prompt), true), opts.maxTokens, opts.temperature, opts.seed)
  }

  chat(prompt: string, maxTokens: number): Promise<string> {
    return this.run(encode(promptContext(prompt), true), maxTokens, 0, 0)
  }

  complete(text: string, maxTokens: number): Promise<string> {
    return this.run(encode(text, true), maxTokens, 0, 0)
  }

  /** Each byte of `text` with log p(byte | BOS, preceding bytes), from one full prefill. */
  async promptLogprobs(text: string): Promise<PromptToken[]> {
    const tokens = encode(text, true)
    if (tokens[0] !== BOS_ID) throw new Error('tokenizer did not prepend BOS')
    const rows = await this.engine.logits(tokens)
    const out: PromptToken[] = []
    for (let i = 1; i < tokens.length; i++) out.push({ start: i - 1, end: i, logprob: logSoftmaxAt(rows[i - 1]!, tokens[i]!) })
    return out
  }

  async close(): Promise<void> {
    await this.engine.close?.()
  }
}
