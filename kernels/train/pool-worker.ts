/** A gradient worker of kernels/train/pool.ts: computes one micro-batch's loss and gradient per message. */
import { parentPort, workerData } from 'node:worker_threads'
import { lossAndGrad } from './model.ts'
import { zeroParams, zerosLike, namedTensors } from './params.ts'
import { paramsFromList, type MicroTask, type PoolInit, type PoolReply } from './pool.ts'

const init = workerData as PoolInit
const params = paramsFromList(zeroParams(init.config), init.params.map((b) => new Float64Array(b)))

parentPort!.on('message', (m: MicroTask & { id: number }) => {
  try {
    const grads = zerosLike(params)
    const result = lossAndGrad(params, init.config, m.batch, init.auxCoef, grads, m.scales, init.weights)
    const buffers = namedTensors(grads).map((t) => t.data.buffer as ArrayBuffer)
    parentPort!.postMessage({ id: m.id, result, grads: buffers } satisfies PoolReply, buffers)
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message } satisfies PoolReply)
  }
})
