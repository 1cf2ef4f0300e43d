/**
 * Limits of the onnxruntime backend (listed in specs/lasa.md §Constants).
 */

/** Largest chunk of new tokens per graph run; prefill is cut into chunks of min(ORT_MAX_CHUNK, smallest window). */
export const ORT_MAX_CHUNK = 64

/** Plain Mixtral (no LASA window): the dense cache starts with this many slots per layer and doubles as needed… */
export const DENSE_INITIAL_SLOTS = 256

/** …up to this many positions; past it the ORT backend refuses with context_too_long (Mixtral's own context length). */
export const DENSE_MAX_CONTEXT = 32_768

/** Intra-op threads per session: one thread measured faster than two on this 2-core machine (issue 3). */
export const ORT_INTRA_OP_THREADS = 1
