/**
 * The one error class of kernels/: a model directory, config or weight file we refuse to run.
 * `code` is from a fixed set (usable as a metric label); `tensor` names the offending tensor when there is one.
 */
export type ModelErrorCode =
  | 'bad_config' // config.json missing a key, wrong type, or out of range
  | 'unsupported_config' // a feature we refuse rather than mis-run (sliding_window, rope_scaling, ...)
  | 'bad_header' // safetensors header unreadable: too short, oversized, not JSON, malformed entry
  | 'unknown_dtype' // a tensor whose dtype the loader cannot convert to f32
  | 'bad_offsets' // data_offsets inconsistent with dtype × shape, overlapping, or out of order
  | 'truncated' // a tensor's data ends past the end of the file
  | 'missing_tensor' // a tensor the config requires is absent
  | 'wrong_shape' // a tensor's shape differs from what the config implies
  | 'duplicate_tensor' // the same tensor name twice (across shards)
  | 'unexpected_tensor' // a tensor the architecture does not use
  | 'io' // the file or directory cannot be read
  | 'context_too_long' // more positions than a backend's cache can hold (plain Mixtral on ORT: DENSE_MAX_CONTEXT)

export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly tensor?: string,
  ) {
    super(tensor === undefined ? message : `tensor '${tensor}': ${message}`)
    this.name = 'ModelError'
  }
}
