/**
 * Limits of egress accounting (simulations/README.md § Egress accounting, constants table).
 * A leaked run of at least EGRESS_WINDOW_BYTES + stride − 1 contiguous weight bytes is always detected, wherever it
 * starts in the outgoing plaintext; stride is 1 (every window indexed) unless the weight files exceed
 * EGRESS_MAX_INDEXED_WINDOWS windows.
 */

/** Bytes per rolling-hash window. Shorter runs of weight bytes are not reported (they are indistinguishable from chance). */
export const EGRESS_WINDOW_BYTES = 64

/** Upper bound on windows held in one weight index (memory: ~16 bytes per window). Above it windows are sampled. */
export const EGRESS_MAX_INDEXED_WINDOWS = 4_194_304

/** Windows with fewer distinct byte values are not indexed: runs of zeros or padding are not evidence of weights. */
export const EGRESS_MIN_DISTINCT_BYTES = 16

/** Seed of the byte-substitution table of the rolling hash (any fixed value; fixed so indexes are reproducible). */
export const EGRESS_HASH_SEED = 0x41495065

/**
 * Windows the production egress guard indexes (alignment-v1 §6): ~16 MiB of index. Larger models are sampled with a
 * stride, so a run of EGRESS_WINDOW_BYTES + stride − 1 weight bytes is still always caught.
 */
export const EGRESS_GUARD_MAX_WINDOWS = 1_048_576

/** Egress events a monitor keeps for inspection (the newest); counters keep the totals. */
export const EGRESS_EVENTS_KEPT = 256
