/**
 * Every limit of the AIP network layer, each with the sentence of specs/network-v1.md it comes from.
 * The spec's constants table (§9) lists the same names, units and defaults.
 */

/** §3 "The hello protocol identifier is `/aip/hello/1.0.0`." */
export const HELLO_PROTOCOL = '/aip/hello/1.0.0'
/** §3 "The hello message version is 1." */
export const HELLO_VERSION = 1
/** §3 "A hello message MUST NOT exceed 512 KiB." (a certificate plus a federation of a few hundred sites) */
export const HELLO_MAX_BYTES = 512 * 1024
/** §3 "A hello message carries at most 256 federation records." */
export const HELLO_MAX_FEDERATION_RECORDS = 256
/**
 * §3 H5 "at most 64 FederationCharter and CharterApproval records of the hello" feed the scratch trust state that
 * judges a certificate the receiver cannot place yet: the signature checks a hello costs before its certificate passes.
 */
export const HELLO_MAX_DRY_RUN_RECORDS = 64
/** §3 "A peer that has not passed the hello handshake within 5 s of connecting is disconnected." */
export const HELLO_TIMEOUT_MS = 5_000
/** §6 "At most 64 messages per peer wait for that peer's hello to finish; more are IGNOREd." */
export const PENDING_PEER_MAX_MESSAGES = 64
/** §3 "A site that learned federation records repeats hello with its admitted peers 50 ms later." */
export const HELLO_REPEAT_DELAY_MS = 50
/** §3 "A peer refused for a protocol fault is not accepted again for 60 s" (a timeout backs off instead: H6a). */
export const PEER_BAR_MS = 60_000
/**
 * §3 H6a "A peer whose hello times out, or whose hello stream fails without a protocol fault, is held off for
 * HELLO_BACKOFF_BASE_MS × 2^(k−1) × a uniform random factor in [0.5, 1] after its k-th consecutive such failure, at
 * most PEER_BAR_MS." A loaded peer is slow, not hostile: it comes back after a redial or two, not after a minute.
 */
export const HELLO_BACKOFF_BASE_MS = 2_000
/** §3 "A site remembers at most 4096 barred peers; the oldest bar is dropped first." */
export const BARRED_PEERS_MAX = 4_096

/** §6 "A peer whose hello has not passed has application score −60": below publish, above graylist. */
export const PENDING_APP_SCORE = -60
/**
 * §6 "An admitted peer that has not yet confirmed our admission has application score −1": it is sent records and
 * gossip but neither side grafts it (a GRAFT to a peer still judging us would be PRUNEd with a long backoff).
 */
export const UNCONFIRMED_APP_SCORE = -1
/** §3 "The dialler's ack is the one-byte frame 0xF5 (CBOR true)." */
export const HELLO_ACK = Uint8Array.of(0xf5)
/** §6 appSpecificWeight. */
export const APP_SPECIFIC_WEIGHT = 1
/** §6 "invalidMessageDeliveriesWeight −10 per topic (the counter is squared)". */
export const INVALID_MESSAGE_WEIGHT = -10
/** §6 "invalidMessageDeliveriesDecay 0.9 per second". */
export const INVALID_MESSAGE_DECAY = 0.9
/** §6 thresholds. */
export const GOSSIP_THRESHOLD = -10
export const PUBLISH_THRESHOLD = -50
export const GRAYLIST_THRESHOLD = -80
/** §6 "A peer graylisted for 3 consecutive heartbeats is disconnected and barred." */
export const GRAYLIST_DISCONNECT_HEARTBEATS = 3
/** §6 "The application penalty (sync violations, sync-v1 §7) decays by half every 10 s." Over-limit records cost nothing. */
export const OVER_LIMIT_PENALTY_HALF_LIFE_MS = 10_000

/** §7 "Default per-signer rate: 100 records/s sustained, bursts of 1000." */
export const SIGNER_RATE_PER_S = 100
export const SIGNER_BURST = 1_000
/** §7 "Default per-signer storage quota: 100 000 records and 256 MiB." */
export const SIGNER_QUOTA_RECORDS = 100_000
export const SIGNER_QUOTA_BYTES = 256 * 1024 * 1024
/**
 * §7.1 "A gossiped record that has waited more than VALIDATION_QUEUE_MAX_WAIT_MS in its family's queue when its turn
 * comes is IGNOREd (queue_full) without running the pipeline": a site past its capacity sheds what it cannot validate
 * in time, and anti-entropy sync recovers it. Shorter than the MCACHE_HEARTBEATS window, so a record validated within
 * it can still be forwarded; long enough for fsync stalls of a loaded disk (up to 1.7 s measured, six sites on one disk).
 */
export const VALIDATION_QUEUE_MAX_WAIT_MS = 5_000
/**
 * §7 "At most 2048 received results records wait for validation or storage; beyond that, new ones are IGNOREd
 * (queue_full)." A signer's whole burst (SIGNER_BURST) waits instead of being dropped; and sized to memory (§7.1
 * budget): a queued ~1.2 KB record holds ~4 KB while it waits and up to ~35 KB in the pipeline (decoded body, its
 * part of a synced batch and of the audit log's), so a full queue, 2,048 with 256 in the pipeline, held 13.6 MB
 * (measured in-process: heapUsed + external after GC). 8,192 with 1,024 in the pipeline, before issue 17's budget,
 * could hold ~60 MB.
 */
export const VALIDATION_QUEUE_MAX = 2_048
/** §7.1 memory budget: 16 MiB of record bytes in all the families' queues, whatever the record sizes. */
export const VALIDATION_QUEUE_MAX_BYTES = 16 * 1024 * 1024
/** §7 "At most half of that from any one propagation source", so one flooding peer leaves room for the others. */
export const VALIDATION_QUEUE_PER_PEER_MAX = 1_024
/** §7 "… and at most half of the bytes": the per-peer share counts bytes, not only messages (256 KiB records). */
export const VALIDATION_QUEUE_PER_PEER_MAX_BYTES = 8 * 1024 * 1024

/** One family's validation queue: records waiting or running, their bytes, and how many run the pipeline at once. */
export interface QueueLimits {
  maxLength: number
  maxBytes: number
  concurrency: number
}

/**
 * §7 "Each record family has its own validation queue", so a flood of results never delays a federation record
 * (Lodestar's per-topic gossip queues). The families' byte budgets add up to VALIDATION_QUEUE_MAX_BYTES; results
 * keep VALIDATION_QUEUE_MAX records. `concurrency` bounds the records of a family in the pipeline at once (group
 * commit still collects up to that many per synced batch).
 */
export const VALIDATION_QUEUES: Readonly<Record<'federation' | 'results' | 'alignment', QueueLimits>> = {
  federation: { maxLength: 256, maxBytes: 2 * 1024 * 1024, concurrency: 64 },
  results: { maxLength: VALIDATION_QUEUE_MAX, maxBytes: 10 * 1024 * 1024, concurrency: 256 },
  alignment: { maxLength: 256, maxBytes: 4 * 1024 * 1024, concurrency: 64 },
}

/**
 * §6 "At most 8 MiB of messages, from all peers together, wait for their peers' hello to finish; more are IGNOREd
 * (queue_full)": they are inside the validation budget, and a crowd of fresh identities cannot hold more.
 */
export const PENDING_PEERS_MAX_BYTES = 8 * 1024 * 1024


/**
 * §6 "A received message waits in gossipsub's message cache for its validation outcome for up to 10 heartbeats":
 * with asynchronous validation, a record ACCEPTed after it left the cache is stored but never forwarded, so the
 * window must cover the validation queue's delay, which §7.1 bounds (VALIDATION_QUEUE_MAX_WAIT_MS = 5 s, plus the
 * pipeline's own time: fsync stalls up to 1.7 s measured). Sized to memory (issue 17): the cache holds every message
 * of the window, ~1.7 KB per ~1 KB record, so 30 heartbeats held ~50 MB at a sustained 1,000 records/s, 10 hold ~17.
 */
export const MCACHE_HEARTBEATS = 10
/**
 * §7.1 "gossipsub's message cache keeps at most MCACHE_MAX_BYTES of validated messages, each counting its data plus
 * MCACHE_ENTRY_OVERHEAD_BYTES; past it the oldest validated go first" (the `gossipsubMcacheBudget` patch): the window
 * alone is bounded by time, not by the arrival rate. Messages awaiting their outcome are the validation queues'
 * records (bounded by their budget) and stay, so a REJECT still charges P4. 6 MiB is ~3,600 of the benchmark's
 * ~1.2 KB records: the whole MCACHE_HEARTBEATS window up to ~360 records/s, the newest 6 MiB of it beyond. The
 * overhead is the cache entry, its id strings and the decoded RPC message (~1.7 KB per ~1.2 KB record in a heap
 * snapshot, see MCACHE_HEARTBEATS).
 */
export const MCACHE_MAX_BYTES = 6 * 1024 * 1024
export const MCACHE_ENTRY_OVERHEAD_BYTES = 512
/**
 * §6 "A site remembers the ids of the messages it has seen for 30 s" (gossipsub's seenTTL; its default is 2 min).
 * Sized to memory (issue 17, §7.1 rule 5): an id costs ~0.2 KB, and 2 min of a 1,600 records/s flood held ~190,000 of
 * them. A duplicate that arrives later costs a store lookup (IGNORE duplicate, aip-v1 §6), not a validation: the
 * message id is the record ID (§5). 30 s covers the mcache window and a queue's maximum wait several times over.
 */
export const SEEN_TTL_MS = 30_000
/**
 * §5 IDONTWANT (gossipsub v1.2) only for messages of at least 16 KiB. gossipsub's default, 512 bytes, sends every
 * mesh peer an IDONTWANT for each ~1 KB record: one more message per record per link, which cost more CPU than the
 * duplicates it saved (bench/gossip on this machine: ~12% less CPU per record without it, ~40% more bytes). Large
 * records (alignment chunks, up to 256 KiB) keep it, where the duplicate is the expensive part.
 */
export const IDONTWANT_MIN_BYTES = 16 * 1024
/**
 * §5.1 "A site keeps GOSSIP_D = 8 peers in its mesh of each topic, between GOSSIP_D_LO = 6 and GOSSIP_D_HI = 12, and
 * sends IHAVE gossip to GOSSIP_D_LAZY = 6 further peers": Ethereum consensus's values (Lodestar, Prysm: D 8, D_lo 6,
 * D_hi 12, D_lazy 6); Filecoin (Lotus) runs the same D / D_lo / D_hi. Rationale and measurements: network-v1 §10,
 * simulations/README.md § 1,000 sites.
 */
export const GOSSIP_D = 8
export const GOSSIP_D_LO = 6
export const GOSSIP_D_HI = 12
export const GOSSIP_D_LAZY = 6
/** §5 "A gossip message MUST NOT exceed 256 KiB", aip-v1's largest envelope (MAX_ENVELOPE_BYTES). */
export const GOSSIP_MAX_MESSAGE_BYTES = 262_144

/** §6 "A site logs at most 20 non-accepted messages per outcome code per 10 s and counts the rest." */
export const LOG_PER_CODE_PER_WINDOW = 20
export const LOG_WINDOW_MS = 10_000

/**
 * §2 "A liveness ping is allowed at least 20 s before the connection is aborted." libp2p adapts the timeout to the
 * measured round trip (5 s minimum by default); a site busy validating a burst of records answers late, and dropping
 * its connections then turns a slowdown into a partition.
 */
export const PING_TIMEOUT_MIN_MS = 20_000

/** §2 "A site re-dials its disconnected bootstrap peers every 2 s." */
export const REDIAL_INTERVAL_MS = 2_000
