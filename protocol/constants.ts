/**
 * Every limit of the record layer, each listed in the constants table of specs/aip-v1.md (§2) with its unit.
 * Changing a value here is a wire-format change: update the spec and regenerate specs/vectors in the same commit.
 */

/** §2: the protocol version; on the wire it appears only inside each content type (…v1+cbor). */
export const AIP_VERSION = 'aip/1'

/** §3.1: largest integer magnitude a payload may carry, 2^53 − 1 (JavaScript safe integers). */
export const MAX_SAFE_INT = Number.MAX_SAFE_INTEGER

/** §2: no record envelope is ever larger than this, whatever its type (bytes). Checked before decoding. */
export const MAX_ENVELOPE_BYTES = 262_144

/** §3.1: at most this many nested CBOR arrays, maps and tags in one decoded item (the payload map is the first). */
export const MAX_CBOR_DEPTH = 16

/** §2: total number of CBOR data items (every value, key and element) in one decode. */
export const MAX_CBOR_ITEMS = 65_536

/** §3.6: a record whose `created` is more than this ahead of the receiver's clock is IGNOREd (ms). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000

/** §3.2: COSE algorithm identifier for Ed25519 (RFC 9864); the polymorphic −8 (EdDSA) is refused. */
export const COSE_ALG_ED25519 = -19

/** §3.2: CBOR tag of a COSE_Sign1 message (RFC 9052 §2). */
export const COSE_SIGN1_TAG = 18

/** §3.1: CBOR tag for a CID link (DAG-CBOR). */
export const CID_TAG = 42

/** §3.4: multicodec `raw`, the codec of every record ID. */
export const RAW_CODEC = 0x55

/** §3.4: multihash code of sha2-256. */
export const SHA2_256_CODE = 0x12

/** §4: longest text field that is a name, code or label (UTF-8 bytes). */
export const MAX_SHORT_TEXT_BYTES = 256

/** §3.5: longest language tag (UTF-8 bytes = characters: tags are ASCII). */
export const MAX_LANGUAGE_TAG_BYTES = 64

/** §4: longest free-text field (a description, a reason, a prompt, a continuation) in UTF-8 bytes. */
export const MAX_LONG_TEXT_BYTES = 16_384

/** §4.1: most member nations in one charter. */
export const MAX_CHARTER_MEMBERS = 256

/** §4.3: most roles in one site certificate. */
export const MAX_ROLES = 16

/** §4.3: longest validity window of one site certificate (ms): 5 years. */
export const MAX_CERTIFICATE_VALIDITY_MS = 5 * 366 * 24 * 3600 * 1000

/** §4.6: most entries in a ModelCommitment's architecture map. */
export const MAX_ARCHITECTURE_FIELDS = 64

/** §4.7: most chunk links in one manifest (BenchmarkSuite, AlignmentBundle). */
export const MAX_CHUNKS = 1024

/** §4.7: most items inline in one chunk record or one AlignmentBundle. */
export const MAX_ITEMS_PER_CHUNK = 256

/** alignment-v1 §2 R1: most nations, sites, or nations of one group, in one audience list. */
export const MAX_AUDIENCE_ENTRIES = 64

/** alignment-v1 §2 R1: most sharing groups in one audience. */
export const MAX_SHARING_GROUPS = 16

/** alignment-v1 §1: most turns of context before an item's prompt. */
export const MAX_CONTEXT_TURNS = 64

/** §4.12: most AlignmentBundle links in one TuningRecord (tune-v1 T2). */
export const MAX_TUNING_BUNDLES = 64

/** §4.8: most per-category score rows in one BenchmarkResult. */
export const MAX_SCORE_ROWS = 256

/** §4.8: a score in parts per million never exceeds this. */
export const PPM = 1_000_000

/** §4.8: most entries in a BenchmarkResult's engine or decoding map. */
export const MAX_PARAM_FIELDS = 32

/** §5.7: most federation records the trust state holds while waiting for what they depend on. */
export const MAX_TRUST_PENDING = 4096

/** §5.7: most of those waiting records from one signer (a signer over it displaces its own oldest). */
export const MAX_TRUST_PENDING_PER_SIGNER = 256

/** §5.2: successors kept per charter ("two are enough to prove a fork"); further competitors are dropped. */
export const MAX_CHARTER_SUCCESSORS = 2

/** §5.7: most charters the trust state holds (the chain and at most two successors of each element). */
export const MAX_TRUST_CHARTERS = 1024

/** §5.7: most site certificates the trust state holds. */
export const MAX_TRUST_CERTIFICATES = 65_536

/** §5.7: certificates kept per site key and issuer: those with the latest not_after (ties: smaller ID). */
export const MAX_CERTIFICATES_PER_KEY = 16

/** §5.7: most revocations the trust state holds (one per target and signer: the earliest effective_from). */
export const MAX_TRUST_REVOCATIONS = 65_536

/** §5.7: most retractions the trust state holds. */
export const MAX_TRUST_RETRACTIONS = 65_536

/** §5.2, §5.7: operator alerts kept (one per fork, one per full part of the state). */
export const MAX_TRUST_ALERTS = 64

/** §4: envelope size limit per record type (bytes). Checked before the payload is decoded. */
export const MAX_FEDERATION_CHARTER_BYTES = 65_536
export const MAX_CHARTER_APPROVAL_BYTES = 1_024
export const MAX_SITE_CERTIFICATE_BYTES = 2_048
export const MAX_REVOCATION_BYTES = 20_480
export const MAX_RETRACTION_BYTES = 20_480
export const MAX_MODEL_COMMITMENT_BYTES = 16_384
export const MAX_BENCHMARK_SUITE_BYTES = 65_536
export const MAX_BENCHMARK_SUITE_CHUNK_BYTES = 262_144
export const MAX_BENCHMARK_RESULT_BYTES = 65_536
export const MAX_ALIGNMENT_BUNDLE_BYTES = 262_144
export const MAX_ALIGNMENT_CHUNK_BYTES = 262_144
/** §4.10: a Transcript manifest (1 024 links). */
export const MAX_TRANSCRIPT_BYTES = 65_536
/** §4.10: a TranscriptChunk. */
export const MAX_TRANSCRIPT_CHUNK_BYTES = 262_144
/** §4.10: entries per TranscriptChunk. */
export const MAX_TRANSCRIPT_ENTRIES_PER_CHUNK = 4_096
export const MAX_ALIGNMENT_REVIEW_BYTES = 20_480
/** §4.11: an AuditCheckpoint (a signed note with up to 100 signature lines). */
export const MAX_AUDIT_CHECKPOINT_BYTES = 20_480
/** §4.11: an AuditEquivocation (two notes and a consistency proof). */
export const MAX_AUDIT_EQUIVOCATION_BYTES = 40_960
/** §4.11: a signed note inside an audit record, bytes of UTF-8. */
export const MAX_AUDIT_NOTE_TEXT_BYTES = 16_384
/** §4.11: hashes in an AuditEquivocation's consistency proof (RFC 9162: at most 2·log2(size) + 1 < 128). */
export const MAX_AUDIT_PROOF_HASHES = 128
/** §4.12: a TuningRecord (64 links and three digests). */
export const MAX_TUNING_RECORD_BYTES = 16_384
