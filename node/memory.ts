/**
 * Memory settings of a long-running site process (node/README.md § Memory). Imported by the precompiled `aip start`
 * bundle, so nothing here may read import.meta.
 */
import { setFlagsFromString } from 'node:v8'

/**
 * node/README.md § Memory (issue 17): V8 lets its heap grow to a multiple of what is live before the next full
 * collection, and under a flood almost all of that multiple is garbage (records' promises, decoded bodies and
 * buffers promoted while they waited for their synced batch). Measured in the gossip bench's overload phase on a site:
 * heap 109 MB of which ~44 MB live (heap snapshot) by default; ~63 MB with 25 %. The price is more full collections.
 */
export const SITE_HEAP_GROWING_PERCENT = 25

/** Makes V8 collect once its heap is SITE_HEAP_GROWING_PERCENT above what was live (`aip start`, the gossip bench's sites). */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${SITE_HEAP_GROWING_PERCENT}`)
}
