/**
 * EngineClient: the async face of an Engine running in a worker thread (kernels/worker.ts).
 *
 *   const engine = await EngineClient.open({ backend: 'ts' })      // bundled model
 *   const rows = await engine.logits([256, 72, 105])
 *   for await (const t of engine.generate(prompt, { maxTokens: 32 })) …
 *   const [a, b] = await engine.scoreContinuations(prompt, [yes, no])
 *   await engine.close()
 *
 * Requests are served one at a time in the order sent; errors come back with their name, message and code.
 */
import { Worker } from 'node:worker_threads'
import type { BackendName } from './backend.ts'
import type { Config } from './config.ts'
import type { TensorDigest } from './loader.ts'
import type { GenerateOptions } from './engine.ts'
import { ModelError, type ModelErrorCode } from './errors.ts'
import type { WireError, WorkerInit, WorkerReply, WorkerRequest } from './worker.ts'

export interface OpenOptions {
  model?: string // model directory (default: the bundled model)
  backend?: BackendName // default 'ts'
}

/** Rebuilds a worker's error: ModelError keeps its code; RangeError/TypeError keep their class. */
function revive(e: WireError): Error {
  if (e.name === 'ModelError' && e.code !== undefined) {
    return new ModelError(e.code as ModelErrorCode, e.message)
  }
  const Ctor = e.name === 'RangeError' ? RangeError : e.name === 'TypeError' ? TypeError : Error
  return new Ctor(e.message)
}

/**
 * The worker's entry: a tiny ES module that registers tsx, then imports worker.ts. (On Node 20, `execArgv:
 * ['--import', tsx]` does not apply tsx to a worker's own entry file, which then fails with ERR_UNKNOWN_FILE_EXTENSION.)
 */
const WORKER_BOOT = new URL(
  'data:text/javascript,' +
    encodeURIComponent(
      `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); ` +
        `await import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)})`,
    ),
)

type Handler = (reply: WorkerReply) => void

export class EngineClient {
  private nextId = 1
  private readonly handlers = new Map<number, Handler>()
  private failure: Error | null = null

  private constructor(
    private readonly worker: Worker,
    readonly dir: string,
    readonly config: Config,
    /** The SHA-256 of every tensor as the worker read it (the weights root's leaves; node/model builds the root). */
    readonly digests: readonly TensorDigest[] = [],
    /** "node X[; library Y]" and "arch cpu-model" of the worker (specs/evaluation-v1.md §8). */
    readonly runtime = '',
    readonly cpu = '',
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if ('id' in reply) this.handlers.get(reply.id)?.(reply)
    })
    const fail = (err: Error) => {
      this.failure = err
      for (const h of this.handlers.values()) h({ type: 'error', id: -1, error: { name: err.name, message: err.message } })
      this.handlers.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`engine worker exited (code ${code})`)))
  }

  /** Starts a worker, loads the model and builds the backend. Rejects with the load error (e.g. ModelError). */
  static async open(options: OpenOptions = {}): Promise<EngineClient> {
    const init: WorkerInit = { backend: options.backend ?? 'ts', ...(options.model !== undefined ? { model: options.model } : {}) }
    const worker = new Worker(WORKER_BOOT, { workerData: init })
    let onMessage: (m: WorkerReply) => void = () => {}
    let onError: (e: Error) => void = () => {}
    let onExit: (code: number) => void = () => {}
    const ready = await new Promise<WorkerReply>((resolve, reject) => {
      onMessage = resolve
      onError = reject
      onExit = (code) => reject(new Error(`engine worker exited during start (code ${code})`))
      worker.once('message', onMessage).once('error', onError).once('exit', onExit)
    }).catch(async (e: unknown) => {
      await worker.terminate()
      throw e
    })
    worker.off('message', onMessage).off('error', onError).off('exit', onExit)
    if (ready.type !== 'ready') {
      await worker.terminate()
      throw ready.type === 'fatal' ? revive(ready.error) : new Error(`unexpected first message from the engine worker: ${ready.type}`)
    }
    return new EngineClient(worker, ready.dir, ready.config, ready.digests, ready.runtime, ready.cpu)
  }

  private send(req: WorkerRequest, handler: Handler): void {
    if (this.failure !== null) throw this.failure
    this.handlers.set(req.id, handler)
    this.worker.postMessage(req)
  }

  private call<T>(make: (id: number) => WorkerRequest): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++
      this.send(make(id), (reply) => {
        this.handlers.delete(id)
        if (reply.type === 'result') resolve(reply.result as T)
        else if (reply.type === 'error') reject(revive(reply.error))
      })
    })
  }

  /** Logits of every position of `tokens` (used exactly as given), one Float32Array of vocab per position. */
  logits(tokens: readonly number[]): Promise<Float32Array[]> {
    return this.call((id) => ({ id, op: 'logits', tokens: [...tokens] }))
  }

  /** Summed log-probabilities of each continuation after `prompt`. */
  scoreContinuations(prompt: readonly number[], continuations: readonly (readonly number[])[]): Promise<number[]> {
    return this.call((id) => ({ id, op: 'score', prompt: [...prompt], continuations: continuations.map((c) => [...c]) }))
  }

  /** Streams generated token ids; breaking out of the loop cancels the generation in the worker. */
  async *generate(prompt: readonly number[], options: GenerateOptions = {}): AsyncGenerator<number> {
    const id = this.nextId++
    const tokens: number[] = []
    let done = false
    let error: Error | null = null
    let wake: (() => void) | null = null
    this.send({ id, op: 'generate', prompt: [...prompt], options }, (reply) => {
      if (reply.type === 'token') tokens.push(reply.token)
      else if (reply.type === 'result') done = true
      else if (reply.type === 'error') {
        error = revive(reply.error)
        done = true
      }
      if (done) this.handlers.delete(id)
      wake?.()
    })
    try {
      while (true) {
        if (tokens.length > 0) yield tokens.shift()!
        else if (error !== null) throw error
        else if (done) return
        else await new Promise<void>((r) => (wake = r))
      }
    } finally {
      if (!done) this.worker.postMessage({ id, op: 'cancel' } satisfies WorkerRequest)
    }
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit')
    await this.worker.terminate()
  }
}
