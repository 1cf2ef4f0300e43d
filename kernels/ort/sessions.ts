/**
 * onnxruntime sessions per model, cached: building the graph and creating a session takes a while, so every
 * backend of the same Weights object shares them (reference-counted; the last release frees the native memory).
 * Two graphs per model (graph.ts GraphKind), created lazily: 'prefill' for chunks, 'decode' for one-token steps.
 */
import ort from 'onnxruntime-node'
import type { Config } from '../config.ts'
import type { Weights } from '../weights.ts'
import { ORT_INTRA_OP_THREADS } from './constants.ts'
import { buildModel, type GraphKind } from './graph.ts'

export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: ORT_INTRA_OP_THREADS,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
}

/** Creates a CPU session for serialised model bytes with the backend's options. */
export function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, SESSION_OPTIONS)
}

export interface ModelSessions {
  get(kind: GraphKind): Promise<ort.InferenceSession>
  release(): Promise<void>
}

interface Entry {
  refs: number
  sessions: Map<GraphKind, Promise<ort.InferenceSession>>
}

const cache = new WeakMap<Weights, Entry>()

/** The (shared) sessions of a model; call release() once per acquire. */
export function acquireSessions(config: Config, weights: Weights): ModelSessions {
  let entry = cache.get(weights)
  if (entry === undefined) {
    entry = { refs: 0, sessions: new Map() }
    cache.set(weights, entry)
  }
  entry.refs++
  const e = entry
  let released = false
  return {
    get(kind) {
      let s = e.sessions.get(kind)
      if (s === undefined) {
        s = createSession(buildModel(config, weights, kind))
        e.sessions.set(kind, s)
        s.catch(() => e.sessions.delete(kind)) // a failed creation is not cached: the next get() retries
      }
      return s
    },
    async release() {
      if (released) return
      released = true
      if (--e.refs > 0) return
      cache.delete(weights)
      for (const s of e.sessions.values()) await (await s).release()
    },
  }
}
