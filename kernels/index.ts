/**
 * The public surface of kernels/ (the inference engine; semantics in specs/lasa.md).
 *
 * @example
 * ```ts
 * import { EngineClient, encode, EOS_ID } from '../kernels/index.ts'
 * const engine = await EngineClient.open()                   // bundled untrained model, TS backend, worker thread
 * const [yes, no] = await engine.scoreContinuations(encode('Is this safe?'), [encode(' yes'), encode(' no')])
 * for await (const t of engine.generate(encode('Hello', true), { maxTokens: 16, stop: [EOS_ID] })) …
 * await engine.close()
 * ```
 */
export type { Config } from './config.ts'
export { parseConfig } from './config.ts'
export type { Weights, LayerWeights } from './weights.ts'
export { paramCounts, expectedTensors } from './weights.ts'
export { ModelError } from './errors.ts'
export type { ModelErrorCode } from './errors.ts'
export { loadModel, readConfig, locateTensors, modelFiles } from './loader.ts'
export type { Model, LocatedTensor } from './loader.ts'
export type { Backend, BackendName, BackendState, BackendFactory } from './backend.ts'
export { Engine, createBackend, argmax, MAX_GENERATE_TOKENS } from './engine.ts'
export type { GenerateOptions } from './engine.ts'
export { EngineClient } from './client.ts'
export type { OpenOptions } from './client.ts'
export { TsBackend } from './ts-backend.ts'
export { encode, decode, StreamDecoder, checkTokens, BOS_ID, EOS_ID } from './tokenizer.ts'
export { ensureBundledModel, ensureBundledModelSync, BUNDLED_NAME, BUNDLED_SEED, BUNDLED_CONFIG_JSON, modelFilesFor, randomWeights, writeModelDir } from './bundled.ts'
export { mulberry32 } from './random.ts'
// training (specs/lasa.md §12)
export type { Example } from './train/data.ts'
export { modelFilesF16, paramSlot } from './train/checkpoint.ts'
export { DTYPE_BYTES, encodeSafetensors } from './safetensors.ts'
export { fromWeights, sharedCopy } from './train/params.ts'
export { GradientPool } from './train/pool.ts'
export { Trainer, TRAIN_DEFAULTS } from './train/trainer.ts'
export type { TrainOptions } from './train/trainer.ts'
export * from './constants.ts'
export { createLlamaBackend, LlamaBackend } from './llama/backend.ts'
export type { LlamaOptions } from './llama/backend.ts'
export { LLAMA_LOGPROB_FLOOR, LLAMA_DEFAULT_CONTEXT, NODE_LLAMA_CPP_VERSION } from './llama/constants.ts'
export { readGgufHeader } from './gguf/reader.ts'
export type { GgufHeader, GgufTensorInfo, ByteSource } from './gguf/reader.ts'
export { readGgufFile, isGgufFile } from './gguf/file.ts'
export { ggufConfig, ggufArchitecture } from './gguf/config.ts'
export { ggufLayout, paddingAfter } from './gguf/writer.ts'
export { mixtralGguf, f32ToF16 } from './gguf/mixtral.ts'
export type { GgufDtype, GgufTensorSource } from './gguf/mixtral.ts'
export { ggmlTypeName, ggmlTensorBytes, GgufType, GGML_TYPES } from './gguf/format.ts'
export type { GgufValue } from './gguf/format.ts'
