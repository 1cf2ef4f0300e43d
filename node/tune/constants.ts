/** Limits and defaults of SovereignTune (specs/tune-v1.md §8; each row of that table is one constant here). */
import { MAX_TUNING_BUNDLES } from '../../protocol/index.ts'

/** §3: the TS reference trainer in binary64 — the only trainer that replays bit for bit. */
export const TUNE_TRAINER = 'aip-ts-f64/1'
/** X8: the trainer name of a site-attested external run (tune-v1 §1.1), never replayed. */
export const TUNE_EXTERNAL_TRAINER = 'external'
/** X2: the external command's timeout by default (one day) and at most (14 days: within a Node.js timer's 2³¹ − 1 ms), in seconds. */
export const TUNE_EXTERNAL_DEFAULT_TIMEOUT_S = 86_400
export const TUNE_EXTERNAL_MAX_TIMEOUT_S = 1_209_600
/** T2: bundles per run (= MAX_TUNING_BUNDLES of aip-v1 §2). */
export const TUNE_MAX_BUNDLES = MAX_TUNING_BUNDLES
/** T4: data per run. */
export const TUNE_MAX_DATA = 65_536
/** T4: bytes of one datum's content. */
export const TUNE_MAX_DATUM_BYTES = 65_536
/** T3: tokens of one example. */
export const TUNE_MAX_EXAMPLE_TOKENS = 2_048
/** T5, L1: steps per run. */
export const TUNE_MAX_STEPS = 100_000
/** T5, L1: examples per step. */
export const TUNE_MAX_BATCH = 256
/** §1 defaults. */
export const TUNE_DEFAULT_STEPS = 20
export const TUNE_DEFAULT_BATCH = 4
export const TUNE_DEFAULT_LR = 0.0005
export const TUNE_DEFAULT_SEED = 1
/** T5: warm-up steps (at most a tenth of the run). */
export const TUNE_DEFAULT_WARMUP = 5
/** §2: steps between checkpoint roots. */
export const TUNE_CHECKPOINT_EVERY = 10
/** L1: a whole ledger (256 MiB). */
export const TUNE_MAX_LEDGER_BYTES = 268_435_456
/** L1: one ledger entry. */
export const TUNE_MAX_LEDGER_ENTRY_BYTES = 65_536
/** E1: AES-256-GCM key, nonce and tag sizes. */
export const DATUM_KEY_BYTES = 32
export const DATUM_NONCE_BYTES = 12
export const DATUM_TAG_BYTES = 16
/** L1: text fields of a ledger entry (IDs, decimal numbers), in UTF-16 code units. */
export const TUNE_MAX_LEDGER_TEXT = 1_024
/** E3: tuning runs followed back from the current state. */
export const TUNE_MAX_CHAIN = 1_024
