/** Limits and defaults of a site's audit log (specs/audit-v1.md; node/README.md §Audit log). */

/** The audit log's level database, under the site directory. */
export const AUDIT_DIR = 'audit'

/** The audit configuration file, under the site directory (AuditConfig). */
export const AUDIT_CONFIG_FILE = 'audit.json'

/** The AES-256-GCM key of captured content (0600), created when capture is first turned on (audit-v1 §6). */
export const CONTENT_KEY_FILE = 'audit-content.key'

/** audit-v1 §6: default retention of captured content, days (EU AI Act Art. 26(6): at least six months). */
export const DEFAULT_RETENTION_DAYS = 183

/** Default interval between scheduled checkpoints, ms. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000

/** audit-v1 §7.4: default wait of a witness for the log's own AuditCheckpoint before it gossips the one it cosigned, ms. */
export const DEFAULT_WITNESS_GOSSIP_DELAY_MS = 30_000

/** audit-v1 §7.1: default number of other nations whose cosignatures make a checkpoint witnessed. */
export const DEFAULT_WITNESS_QUORUM = 2

/** Most appends waiting for the next group commit before append() waits for the disk (backpressure). */
export const MAX_APPEND_QUEUE = 65_536

/** Most tiles the log keeps decoded in memory for proofs and serving. */
export const TILE_CACHE_SIZE = 256

/** Largest captured prompt + output stored (bytes of UTF-8, before encryption). */
export const MAX_CONTENT_BYTES = 1_048_576

/**
 * The audit log's LevelDB block cache and write buffer (network-v1 §7.1 memory budget; classic-level's defaults are
 * 8 MiB and 4 MiB, up to two write buffers held at once): the log is written in appends and read for proofs and
 * tiles (TILE_CACHE_SIZE keeps those decoded), so a small cache loses little; ~0.2 KB per record a site stores fills
 * 1 MiB in ~5,000 records.
 */
export const LOG_DB_CACHE_BYTES = 1024 * 1024
export const LOG_DB_WRITE_BUFFER_BYTES = 1024 * 1024
