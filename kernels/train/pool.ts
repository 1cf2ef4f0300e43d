/**
 * A pool of worker threads computing micro-batch gradients in parallel (data parallelism on one machine). The
 * parameters live in SharedArrayBuffers that the workers read; each micro-batch's gradient comes back as its own
 * buffers, and the trainer sums them in micro-batch order — so the result is bit-identical to computing the same
 * micro-batches one after the other on one thread (specs/lasa.md §12.3).
 */
import { Worker } from 'node:worker_threads'
import type { Config } from '../config.ts'
import type { Batch, LossResult, WeightGrads } from './model.ts'
import { mapParams, namedTensors, type Params } from './params.ts'

export interface MicroTask {
  batch: Batch
  scales: { ce: number; aux: number }
}

export interface PoolInit {
  config: Config
  params: SharedArrayBuffer[] // namedTensors order
  auxCoef: number
  weights: WeightGrads
}

export interface PoolReply {
  id: number
  result?: LossResult
  grads?: ArrayBuffer[] // namedTensors order
  error?: string
}

/** The worker's entry: registers tsx, then imports pool-worker.ts (Node 20 does not apply --import to a worker's entry). */
const BOOT = new URL(
  'data:text/javascript,' +
    encodeURIComponent(
      `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); ` +
        `await import(${JSON.stringify(new URL('./pool-worker.ts', import.meta.url).href)})`,
    ),
)

/** Rebuilds a Params shaped like `template` from arrays in namedTensors order. */
export function paramsFromList(template: Params, arrays: Float64Array[]): Params {
  const index = new Map(namedTensors(template).map((t, i) => [t.data, i]))
  return mapParams(template, (a) => arrays[index.get(a)!]!)
}

export class GradientPool {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (r: PoolReply) => void }>()

  private constructor(
    private readonly workers: Worker[],
    private readonly template: Params,
  ) {
    for (const w of workers) {
      w.on('message', (r: PoolReply) => {
        const p = this.pending.get(r.id)
        this.pending.delete(r.id)
        p?.resolve(r)
      })
    }
  }

  /** Starts `size` workers reading `params` (which must be sharedCopy'd); `weights` as lossAndGrad's (LoRA: 'attention'). */
  static open(config: Config, params: Params, size: number, auxCoef: number, weights: WeightGrads = 'all'): GradientPool {
    const shared = namedTensors(params).map((t) => {
      if (!(t.data.buffer instanceof SharedArrayBuffer)) throw new TypeError(`${t.name} is not in a SharedArrayBuffer (use sharedCopy)`)
      return t.data.buffer
    })
    const init: PoolInit = { config, params: shared, auxCoef, weights }
    const workers = Array.from({ length: size }, () => new Worker(BOOT, { workerData: init }))
    return new GradientPool(workers, params)
  }

  /** Gradients (each from zero) and losses of the tasks, in task order; task i runs on worker i mod size. */
  async run(tasks: readonly MicroTask[]): Promise<Array<{ grads: Params; result: LossResult }>> {
    const replies = await Promise.all(tasks.map((task, i) => new Promise<PoolReply>((resolve) => {
      const id = this.nextId++
      this.pending.set(id, { resolve })
      this.workers[i % this.workers.length]!.postMessage({ id, ...task })
    })))
    return replies.map((r) => {
      if (r.error !== undefined || r.grads === undefined || r.result === undefined) throw new Error(`gradient worker failed: ${r.error}`)
      return { grads: paramsFromList(this.template, r.grads.map((b) => new Float64Array(b))), result: r.result }
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}
