/**
 * What evaluation needs from an engine, local or external (specs/evaluation-v1.md §6). The local kernels engine and
 * the OpenAI-compatible client both implement it; evaluation never depends on either directly.
 */

/** Names the engine in BenchmarkResult.engine. */
export interface EngineInfo {
  backend: string
  version: string
  model_name: string
  /** §8 the software doing the arithmetic, e.g. "node 20.20.2; onnxruntime-node 1.30.0" (local engines). */
  runtime?: string
  /** §8 the processor, e.g. "x64 AMD EPYC 7B13" (local engines). */
  cpu?: string
}

export interface GenerateOptions {
  maxTokens: number
  /** 0 means greedy. */
  temperature: number
  seed: number
}

export interface EvalEngine {
  readonly info: EngineInfo
  /** True when scoreContinuations is available (external chat-only endpoints have no log-probabilities). */
  readonly canScore: boolean
  /**
   * Summed natural-log probabilities (≤ 0) of each continuation after `context`, one per continuation, in order.
   * Implementations should prefill the context once and score every continuation from its cache.
   */
  scoreContinuations(context: string, continuations: readonly string[]): Promise<number[]>
  /**
   * The model's reply to a user prompt (the engine applies its own chat template or §4.0's) as raw bytes (§4.2):
   * the local engine's byte tokens as generated (possibly not valid UTF-8), an external engine's UTF-8 text.
   */
  generate(prompt: string, opts: GenerateOptions): Promise<Uint8Array>
  close?(): Promise<void>
}
