/**
 * Backend: what the engine needs from an inference implementation (TypeScript reference in kernels/ts-backend.ts,
 * onnxruntime in kernels/ort/). A backend owns one sequence's state: the bounded LASA KV cache and the position.
 * Methods are async because onnxruntime's run() is; the TS backend simply resolves. See kernels/README.md.
 */
import type { Config } from './config.ts'
import type { Weights } from './weights.ts'

/** 'llama' runs a GGUF file through llama.cpp (kernels/llama/): opened by path, not from a loaded Model. */
export type BackendName = 'ts' | 'ort' | 'llama'

/** Opaque copy of a backend's sequence state (KV caches + position), only valid for the backend that made it. */
export interface BackendState {
  readonly position: number
}

export interface Backend {
  readonly name: BackendName
  readonly config: Config
  /** Number of tokens consumed since the last reset (= absolute position of the next token). */
  readonly position: number
  /**
   * Feeds `tokens` after the current state (positions position … position + n − 1) and returns logits:
   * every position's row (n rows of vocab) when `all`, else only the last row. tokens must be non-empty.
   */
  prefill(tokens: readonly number[], all: boolean): Promise<Float32Array[]>
  /** Feeds one token; returns its logits row (vocab). Same as prefill([token], false)[0]. */
  step(token: number): Promise<Float32Array>
  /** Copies the sequence state (for scoring several continuations of one prompt). */
  snapshot(): BackendState
  /** Restores a state made by snapshot() of this backend. */
  restore(state: BackendState): void
  /** Forgets the sequence: position 0, empty cache. */
  reset(): void
  /** Releases native resources (ORT sessions). */
  dispose(): Promise<void>
}

/** Creates a backend for a loaded model. kernels/ort/index.ts exports one named `createOrtBackend`. */
export type BackendFactory = (model: { config: Config; weights: Weights }) => Promise<Backend>
