/**
 * Every limit of kernels/, each listed in the constants table of specs/lasa.md (§Constants).
 */

/** Largest safetensors JSON header we parse, in bytes (specs/lasa.md §Model directory; the safetensors
 * reference implementation uses the same 100 MB bound). Checked before the header is read. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000

/** Largest number of tensors in one safetensors file (bounds header-derived allocations). */
export const MAX_TENSORS_PER_FILE = 1_000_000

/** Largest tensor rank accepted in a safetensors header. */
export const MAX_TENSOR_RANK = 8

/** Largest value of any integer size key in config.json (2^24): keeps index arithmetic exact. */
export const MAX_CONFIG_DIMENSION = 1 << 24

/** Largest num_hidden_layers (real models have ≤ 128): bounds the per-layer arrays built from a config. */
export const MAX_CONFIG_LAYERS = 4096

/** Largest config.json we read, in bytes. */
export const MAX_CONFIG_BYTES = 1_000_000

/** Token ids 0..255 are the UTF-8 bytes (specs/lasa.md §Tokenizer). */
export const BYTE_TOKENS = 256
/** Beginning-of-sequence special token id. */
export const BOS_ID = 256
/** End-of-sequence special token id. */
export const EOS_ID = 257
/** Smallest vocabulary that holds the bytes and the two specials. */
export const MIN_VOCAB = 258

/** Largest context of a model without lasa_window (full causal attention: its cache grows with the context);
 * past it a backend refuses with context_too_long. Mixtral's own context length (specs/lasa.md §KV cache). */
export const DENSE_MAX_CONTEXT = 32_768

/** Most logits rows one engine call returns (rows × vocab floats are allocated): logits(tokens) and each
 * continuation of scoreContinuations. Longer prompts are fine where only the last row is needed. */
export const MAX_LOGITS_ROWS = 8192
