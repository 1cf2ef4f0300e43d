/**
 * Limits of the onnxruntime backend (listed in specs/lasa.md §9 Constants). Shared limits (DENSE_MAX_CONTEXT)
 * live in kernels/constants.ts.
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

/**
 * Plain Mixtral (no LASA window): the dense cache starts with this many slots per layer and doubles as needed, up to
 * DENSE_MAX_CONTEXT (kernels/constants.ts) positions; past it the backend refuses with context_too_long.
 */
export const DENSE_INITIAL_SLOTS = 256

/** Intra-op threads per session: one thread measured faster than two on this 2-core machine (issue 3). */
export const ORT_INTRA_OP_THREADS = 1

/**
 * Smallest LASA prior weight softplus(slope) the graph uses, so that weight · (+∞) = +∞ (never 0 · ∞ = NaN) for keys
 * outside K(i). Only slopes below about −69 are affected, where the prior is < 1e-28 per unit of distance anyway.
 */
export const MIN_PRIOR_WEIGHT = 1e-30

/**
 * Largest model (f32 weight bytes) the ORT backend accepts: each graph is one in-memory protobuf, which cannot
 * exceed 2 GiB (models past it would need ONNX external data, which kernels/ort does not write).
 */
export const ORT_MAX_MODEL_BYTES = 2_000_000_000
