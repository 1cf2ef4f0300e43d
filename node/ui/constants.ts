/** Dashboard limits and names (node/ui/README.md; aip-v1 has no say here: the dashboard is local to one node). */

/** Path under the local API's address where the dashboard lives. */
export const UI_PREFIX = '/ui'
/** Name of the session cookie (HttpOnly, SameSite=Strict, Path=/ui). */
export const SESSION_COOKIE = 'aip_session'
/** Request header that must carry the session's CSRF token on every state-changing request. */
export const CSRF_HEADER = 'x-aip-csrf'
/** A login token printed by `aip ui` is good once, for this long, ms. */
export const LOGIN_TOKEN_TTL_MS = 120_000
/** Most unused login tokens kept at once (older ones are dropped first). */
export const MAX_LOGIN_TOKENS = 16
/** A browser session lasts this long, ms. */
export const SESSION_TTL_MS = 12 * 3600_000
/** Most sessions kept at once (the oldest is dropped first). */
export const MAX_SESSIONS = 32
/** Most envelopes in one GET /ui/api/envelopes batch. */
export const MAX_ENVELOPE_BATCH = 500
/** Largest POST /ui/api/align/decide body (JSON: a bundle ID, a decision and the reason), bytes. */
export const MAX_DECIDE_BODY_BYTES = 16 * 1024
/** Most alerts the node keeps for the dashboard (the oldest is dropped first). */
export const MAX_ALERTS = 200
/** Most scrub hits per bundle the review queue shows (the count is always complete). */
export const MAX_SCRUB_HITS_SHOWN = 50
/** Bytes of randomness in a login token, a session ID and a CSRF token. */
export const SECRET_BYTES = 32
/**
 * Content-Security-Policy of every dashboard response: nothing but the node's own scripts and styles, no inline
 * script, no framing, no form posts elsewhere.
 */
export const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ')
