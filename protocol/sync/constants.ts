/**
 * Constants of the /aip/sync/1.0.0 protocol. Each one is listed in specs/sync-v1.md §8 (constants table); the
 * sentence of the spec it comes from is quoted next to it. They are fixed by the protocol version: two peers that
 * speak /aip/sync/1.0.0 use exactly these values, so nothing is negotiated on the wire.
 */

/** §1 "The protocol identifier is /aip/sync/1.0.0." */
export const SYNC_PROTOCOL = '/aip/sync/1.0.0'

/** §2 "A record ID is 32 bytes (the SHA-256 digest that identifies the record)." */
export const ID_BYTES = 32

/** §3 "Each level of the tree consumes LEVEL_BITS bits of the ID", so a node has 2^LEVEL_BITS children. */
export const LEVEL_BITS = 4

/** §3 "A node at depth k is the set of IDs whose first k·LEVEL_BITS bits equal its path"; depth ≤ MAX_DEPTH. */
export const MAX_DEPTH = (ID_BYTES * 8) / LEVEL_BITS

/** §4 "fingerprint = the first FINGERPRINT_BYTES bytes of SHA-256(sum ‖ varint(count))". */
export const FINGERPRINT_BYTES = 8

/** §5.2 "The responder lists a node when it holds at most LIST_THRESHOLD IDs in it, and splits it otherwise." */
export const LIST_THRESHOLD = 32

/** §5.2 "A listed ID is given by LIST_ENTRY_BYTES bytes starting at byte ⌊k·LEVEL_BITS/8⌋ of the ID." */
export const LIST_ENTRY_BYTES = 5

/** §5.1 "A want is an ID prefix of MIN_WANT_BYTES to ID_BYTES bytes." */
export const MIN_WANT_BYTES = 5

/** §6 "No message exceeds MAX_MESSAGE_BYTES bytes (the length prefix excluded)." */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/** §6 "A query opens at most MAX_OPEN_PER_QUERY nodes (the root included)." */
export const MAX_OPEN_PER_QUERY = 8192

/** §6 "A query carries at most MAX_WANTS_PER_QUERY wants." */
export const MAX_WANTS_PER_QUERY = 1024

/** §6 "A reply carries at most MAX_RECORDS_PER_REPLY records, at most MAX_MATCHES_PER_WANT for any one want." */
export const MAX_RECORDS_PER_REPLY = 1024

/** §6 (see MAX_RECORDS_PER_REPLY). */
export const MAX_MATCHES_PER_WANT = 4

/**
 * §6 "An initiator keeps at most MAX_PENDING nodes waiting to be opened, and as many wants; a responder whose
 * answers would make it keep more is cut off (limit)." Honest sessions stay far below it up to millions of records.
 */
export const MAX_PENDING = 262_144

/** §6 "A session has at most MAX_ROUNDS query/reply rounds." */
export const MAX_ROUNDS = 256

/** §6 "A responder waits at most ROUND_TIMEOUT_MS for the next query; an initiator as long for a reply." */
export const ROUND_TIMEOUT_MS = 10_000

/** §6 "A session lasts at most SESSION_TIMEOUT_MS." */
export const SESSION_TIMEOUT_MS = 120_000

/** The parameters of the tree and the listing. Fixed by the protocol; variable only in the design-space model. */
export interface SyncParams {
  /** Bits of the ID consumed per tree level (the branching factor is 2^levelBits). 3..6. */
  levelBits: number
  /** Bytes of truncated fingerprint per node summary. */
  fingerprintBytes: number
  /** A node with at most this many IDs (responder side) is listed rather than split. */
  listThreshold: number
  /** Bytes per listed ID. */
  listEntryBytes: number
}

export const SYNC_PARAMS: Readonly<SyncParams> = Object.freeze({
  levelBits: LEVEL_BITS,
  fingerprintBytes: FINGERPRINT_BYTES,
  listThreshold: LIST_THRESHOLD,
  listEntryBytes: LIST_ENTRY_BYTES,
})
