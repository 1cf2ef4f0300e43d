/**
 * Limits of the onnxruntime backend (listed in specs/lasa.md §Constants).
 */

/**
 * Largest chunk of new tokens per prefill run for LASA models. Attention is blocked (kernels/ort/attention.ts), so
 * its cost stays O(C·(G + W + B)); a big chunk keeps the per-expert GEMMs big (bench/engine.ts: prefill ~15% faster
 * at 512 than at 256, ~2× faster than at 64).
 */
export const ORT_MAX_CHUNK = 512

/**
 * Queries per attention block B of LASA models: each block reads G + W − 1 + B keys, so a small B wastes fewer
 * masked columns (8, 16 and 32 measured alike on the bundled model; 64 was ~1.7× slower overall).
 */
export const ORT_ATTENTION_BLOCK = 16

/** Chunk per prefill run for plain Mixtral (full causal attention: one block, so the chunk's own attention is C²). */
export const ORT_DENSE_CHUNK = 64

/** Plain Mixtral (no LASA window): the dense cache starts with this many slots per layer and doubles as needed… */
export const DENSE_INITIAL_SLOTS = 256

/** …up to this many positions; past it the ORT backend refuses with context_too_long (Mixtral's own context length). */
export const DENSE_MAX_CONTEXT = 32_768

/** Intra-op threads per session: one thread measured faster than two on this 2-core machine (issue 3). */
export const ORT_INTRA_OP_THREADS = 1
