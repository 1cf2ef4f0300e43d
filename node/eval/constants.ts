/**
 * Limits and fixed parameters of AIP evaluation. Each one is listed in the constants table of
 * specs/evaluation-v1.md (§9) with the sentence it comes from.
 */

/** §2.1 "A suite file holds at most MAX_SUITE_ITEMS items." */
export const MAX_SUITE_ITEMS = 100_000
/** §2.1 "A JSONL suite file is at most MAX_SUITE_BYTES bytes." */
export const MAX_SUITE_BYTES = 64 * 1024 * 1024
/** §2.2 "An item id is 1..MAX_ID_LENGTH characters of [A-Za-z0-9._:-]." */
export const MAX_ID_LENGTH = 128
/** §2.2 "category is 1..MAX_CATEGORY_LENGTH characters of [a-z0-9_]." */
export const MAX_CATEGORY_LENGTH = 64
/** §2.2 "prompt is 1..MAX_PROMPT_BYTES UTF-8 bytes." */
export const MAX_PROMPT_BYTES = 16 * 1024
/** §2.2 "each continuation is 1..MAX_CONTINUATION_BYTES UTF-8 bytes." */
export const MAX_CONTINUATION_BYTES = 1024
/** §2.1 "At most MAX_REPORTED_ERRORS line errors are reported; the import fails either way." */
export const MAX_REPORTED_ERRORS = 100

/** §4.1 Fixed-point scale of log-probabilities in transcripts: micro-nats. */
export const LOGPROB_SCALE = 1_000_000
/** §4.1 "Log-probabilities are clamped to [-LOGPROB_LIMIT_MICRONATS, 0]" (keeps every integer exact in a double). */
export const LOGPROB_LIMIT_MICRONATS = 1_000_000_000_000

/** §5 Scores and interval bounds are integers in parts per million. */
export const PPM = 1_000_000
/** §5.2 z for the 95% Wilson interval, as the exact fraction Z_NUM / Z_DEN = 1.96. */
export const WILSON_Z_NUM = 49
export const WILSON_Z_DEN = 25

/** §4.2 "The generative judge reads only the first REFUSAL_WINDOW_CHARS code points of the normalised output." */
export const REFUSAL_WINDOW_CHARS = 300
/** §6 Default decoding for generative items. */
export const DEFAULT_MAX_TOKENS = 64
/** §7.3 "An external engine response body larger than MAX_RESPONSE_BYTES is rejected." */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024
/** §7.3 "An external engine request that takes longer than REQUEST_TIMEOUT_MS fails." */
export const REQUEST_TIMEOUT_MS = 120_000
/** §6 "An external engine is sent up to --concurrency items at once, DEFAULT_ENGINE_CONCURRENCY by default." */
export const DEFAULT_ENGINE_CONCURRENCY = 4
/** §6 "… and at most MAX_ENGINE_CONCURRENCY." */
export const MAX_ENGINE_CONCURRENCY = 64
/** §6 "Outcomes wait for the items before them at most ENGINE_AHEAD_FACTOR × concurrency items deep." */
export const ENGINE_AHEAD_FACTOR = 4
/** §7.1 "A request answered 429 or 5xx is sent again, ENGINE_MAX_ATTEMPTS times in all." */
export const ENGINE_MAX_ATTEMPTS = 4
/** §7.1 "… after Retry-After, else ENGINE_RETRY_BASE_MS × 2^(attempt − 1) …" */
export const ENGINE_RETRY_BASE_MS = 100
/** §7.1 "… never waiting longer than ENGINE_RETRY_MAX_MS." */
export const ENGINE_RETRY_MAX_MS = 30_000
/** §7.2 "A request body larger than MAX_REQUEST_BYTES is answered 413." */
export const MAX_REQUEST_BYTES = 256 * 1024
/** §7.2 "max_tokens above MAX_ROUTE_TOKENS is answered 400." */
export const MAX_ROUTE_TOKENS = 1024

/** §3.3 "An item is held out iff the first byte of SHA-256(id) is below HELDOUT_BYTE_THRESHOLD." */
export const HELDOUT_BYTE_THRESHOLD = 64

/** §2.3 "Items are packed so that a chunk's items encode to at most the chunk record limit minus SUITE_CHUNK_OVERHEAD_BYTES." */
export const SUITE_CHUNK_OVERHEAD_BYTES = 2048
