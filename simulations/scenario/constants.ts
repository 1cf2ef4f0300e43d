/** Limits of scenario files (simulations/README.md § Scenario files, limits table). */
export const MAX_SITES = 1000
export const MAX_EVENTS = 10_000
export const MAX_PUBLISH_COUNT = 10_000
export const MAX_LATENCY_MS = 60_000
export const MAX_SETTLE_MS = 600_000
export const MIN_SAMPLE_MS = 10
export const MAX_SCENARIO_BYTES = 1_048_576
export const DEFAULT_SETTLE_MS = 15_000
export const DEFAULT_SAMPLE_MS = 250
/** Runs last seconds, not hours: sites reconcile every few seconds instead of node/sync's 60 s. */
export const DEFAULT_SYNC_INTERVAL_MS = 3000
/** Items of one `align` event's bundle. */
export const MAX_ALIGN_ITEMS = 100_000
/** Steps of one `tune` event (the TS trainer: seconds per step on the bundled model). */
export const MAX_TUNE_STEPS = 200
/** Examples per step of one `tune` event. */
export const MAX_TUNE_BATCH = 64
/** Peak learning rate of one `tune` event. */
export const MAX_TUNE_LR = 0.01
/** At most this many worker processes (mode memory, `workers`). */
export const MAX_WORKERS = 64
