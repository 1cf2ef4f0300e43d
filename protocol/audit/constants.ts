/**
 * Every limit of the audit-log formats, each listed in the constants table of specs/audit-v1.md (§2).
 * Changing a value here changes what verifiers accept: update the spec and regenerate specs/vectors/audit/.
 */

/** §3.1 (c2sp.org/signed-note): signature type byte of an Ed25519 note signature. */
export const SIG_TYPE_ED25519 = 0x01

/** §3.3 (c2sp.org/tlog-cosignature): signature type byte of a timestamped Ed25519 cosignature. */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04

/** §3.1: the longest signed note (checkpoint text plus every signature line) a verifier reads, in bytes. */
export const MAX_NOTE_BYTES = 65_536

/** §3.1: most signature lines in one note (signed-note asks for ≥ 16; Go's sumdb/note refuses more than 100). */
export const MAX_NOTE_SIGNATURES = 100

/** §3.1: longest key name or checkpoint origin, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 256

/** §3.2: most extension lines a checkpoint may carry (AIP writes none). */
export const MAX_CHECKPOINT_EXTENSIONS = 8

/** §3.3: a cosignature timestamp never exceeds 2^63 − 1 (seconds); AIP also bounds it by 2^53 − 1 to stay exact. */
export const MAX_COSIGNATURE_TIME = Number.MAX_SAFE_INTEGER

/** §4 (c2sp.org/tlog-tiles): hashes in a full tile, entries in a full entry bundle. */
export const TILE_WIDTH = 256

/** §4: tile height in tree levels (log2 TILE_WIDTH). */
export const TILE_HEIGHT = 8

/** §4: bytes of one hash. */
export const HASH_BYTES = 32

/** §4: highest tile level a path may name (tlog-tiles: 0..63). */
export const MAX_TILE_LEVEL = 63

/** §5: the largest encoded entry (entry bundles prefix each entry with a uint16 length). */
export const MAX_ENTRY_BYTES = 8_192

/** §5: most finish reasons, attributes of an array type, in one inference entry. */
export const MAX_ENTRY_LIST = 16

/** §7: the most entries a log may hold: tree sizes stay exact in JavaScript numbers (2^53 − 1). */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER

/** §4.4: largest /aip/audit/1.0.0 message: a full entry bundle of the largest entries, plus framing. */
export const MAX_AUDIT_MESSAGE_BYTES = 2_200_000

/** §4.4: most hashes in a consistency proof (2 · 64 levels is above any tree of 2^53 entries). */
export const MAX_PROOF_HASHES = 128
