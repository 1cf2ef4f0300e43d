/**
 * onnxruntime-node fast path of the engine (issue 3): the model built as an ONNX graph from TypeScript, run on the
 * CPU provider with one intra-op thread, with the bounded LASA KV cache kept in JavaScript.
 *
 * @example
 * const backend = await createOrtBackend(loadModel(dir))
 * const [last] = await backend.prefill([256, 72, 105], false)
 * const next = await backend.step(argmax(last))
 * await backend.dispose()
 */
export { createOrtBackend, OrtBackend, chunkSize } from './backend.ts'
export { buildModel, type GraphKind } from './graph.ts'
export type { MoeLayout } from './moe.ts'
