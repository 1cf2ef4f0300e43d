/**
 * The engine's worker thread: loads a model, builds the backend, and serves EngineClient requests one at a time,
 * so a node's event loop never waits on inference. Protocol: kernels/README.md §Worker.
 */
import { arch, cpus } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import type { BackendName } from './backend.ts'
import { ensureBundledModelSync } from './bundled.ts'
import { createBackend, Engine, type GenerateOptions } from './engine.ts'
import { loadModelHashed, type Model, type TensorDigest } from './loader.ts'

export interface WorkerInit {
  model?: string // model directory; the bundled model when absent
  backend: BackendName
}

export type WorkerRequest =
  | { id: number; op: 'logits'; tokens: number[] }
  | { id: number; op: 'score'; prompt: number[]; continuations: number[][] }
  | { id: number; op: 'generate'; prompt: number[]; options: GenerateOptions }
  | { id: number; op: 'cancel' }

export interface WireError {
  name: string
  message: string
  code?: string
}

export type WorkerReply =
  | { type: 'ready'; dir: string; config: Model['config']; digests: TensorDigest[]; runtime: string; cpu: string }
  | { type: 'fatal'; error: WireError }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'token'; id: number; token: number }
  | { type: 'error'; id: number; error: WireError }

function wire(e: unknown): WireError {
  const err = e instanceof Error ? e : new Error(String(e))
  const code = (err as { code?: unknown }).code
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) }
}

async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  const init = workerData as WorkerInit
  let engine: Engine
  try {
    const dir = init.model ?? ensureBundledModelSync()
    const { model, digests } = loadModelHashed(dir)
    const backend = await createBackend(init.backend, model)
    engine = new Engine(backend)
    // Where the run happens (specs/evaluation-v1.md §8: engine.runtime, engine.cpu of a BenchmarkResult).
    const runtime = `node ${process.versions.node}${backend.runtime !== undefined ? `; ${backend.runtime}` : ''}`
    const cpu = `${arch()} ${cpus()[0]?.model.trim() ?? 'unknown'}`
    port.postMessage({ type: 'ready', dir, config: model.config, digests, runtime, cpu } satisfies WorkerReply)
  } catch (e) {
    port.postMessage({ type: 'fatal', error: wire(e) } satisfies WorkerReply)
    return
  }
  const cancelled = new Set<number>()
  let queue = Promise.resolve()
  const serve = async (req: WorkerRequest): Promise<void> => {
    try {
      if (req.op === 'logits') {
        port.postMessage({ type: 'result', id: req.id, result: await engine.logits(req.tokens) } satisfies WorkerReply)
      } else if (req.op === 'score') {
        port.postMessage({ type: 'result', id: req.id, result: await engine.scoreContinuations(req.prompt, req.continuations) } satisfies WorkerReply)
      } else if (req.op === 'generate') {
        for await (const token of engine.generate(req.prompt, req.options)) {
          port.postMessage({ type: 'token', id: req.id, token } satisfies WorkerReply)
          await new Promise((r) => setImmediate(r)) // lets a 'cancel' message in
          if (cancelled.has(req.id)) break
        }
        port.postMessage({ type: 'result', id: req.id, result: null } satisfies WorkerReply)
      }
    } catch (e) {
      port.postMessage({ type: 'error', id: req.id, error: wire(e) } satisfies WorkerReply)
    } finally {
      cancelled.delete(req.id)
    }
  }
  port.on('message', (req: WorkerRequest) => {
    if (req.op === 'cancel') {
      cancelled.add(req.id)
      return
    }
    queue = queue.then(() => serve(req))
  })
}

if (parentPort !== null) void main(parentPort)
