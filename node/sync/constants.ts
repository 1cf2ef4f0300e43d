/**
 * Node-side constants of sync (specs/sync-v1.md §6–§7). The wire limits live in protocol/sync/constants.ts.
 */

/** §7 "A site syncs with each admitted peer every SYNC_INTERVAL_MS." */
export const SYNC_INTERVAL_MS = 60_000

/** §7 "A site serves at most MAX_INBOUND_SESSIONS sync sessions at once per connection." */
export const MAX_INBOUND_SESSIONS = 2

/** §7 "A peer that breaks the protocol is scored down by PENALTY_POINTS." */
export const PENALTY_POINTS = 10

/** §7 A connect is acted on after this delay (the gate registers the connection first), then once admitted. */
export const CONNECT_SYNC_DELAY_MS = 200
