/** Local HTTP API limits and defaults (node/README.md §Local API). */

/** Route prefix of API version 1. */
export const API_PREFIX = '/v1'
/** Media type of a record's envelope bytes (RFC 9052 §11: COSE_Sign1 tagged). */
export const COSE_MEDIA_TYPE = 'application/cose; cose-type="cose-sign1"'
/** Records per GET /v1/records page when the request gives no limit. */
export const DEFAULT_PAGE_SIZE = 100
/** A whole request (headers and body) must arrive within this time, ms. */
export const REQUEST_TIMEOUT_MS = 10_000
/** Headers must arrive within this time, ms. */
export const HEADERS_TIMEOUT_MS = 5_000
/** How often the server checks those two deadlines, ms: a slow client is cut at most this late. */
export const TIMEOUT_CHECK_MS = 1_000
/**
 * A socket with no traffic in either direction for this long is closed, ms: a client that stops reading its
 * response. Longer than any handler takes, since it also runs while one computes its answer.
 */
export const SOCKET_IDLE_TIMEOUT_MS = 30_000
/** Most query parameters / URL length accepted, bytes. */
export const MAX_URL_BYTES = 2048
/** The client gives up on the running node after this long, ms (liveness check). */
export const LIVENESS_TIMEOUT_MS = 2_000
