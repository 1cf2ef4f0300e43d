/** Limits and defaults of the llama.cpp backend (specs/gguf-commitment.md §5, constants table). */

/** Context (KV cache) size when the caller gives none: eval prompts are short; a 70B model's f32 cache stays ~5 GB. */
export const LLAMA_DEFAULT_CONTEXT = 4096

/** Tokens per llama_decode batch (a prefill longer than this runs as several batches). */
export const LLAMA_BATCH = 512

/**
 * log of the smallest positive f32 (2^-149): the log-probability reported for a token whose probability
 * node-llama-cpp returns as 0 (an f32 softmax underflows more than ~103 nats below the top token).
 */
export const LLAMA_LOGPROB_FLOOR = Math.log(2 ** -149)

/** The node-llama-cpp version the backend is written and tested against (package.json pins it exactly). */
export const NODE_LLAMA_CPP_VERSION = '3.21.1'
