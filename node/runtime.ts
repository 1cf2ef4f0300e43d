/**
 * How to start another Node process or worker thread that runs this project's TypeScript sources.
 * Everything runs through tsx, resolved to an absolute URL so it works from any working directory.
 */
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'

/** Absolute file URL of tsx's ESM loader, for `--import`. */
export const TSX_IMPORT = import.meta.resolve('tsx')

/**
 * execArgv for a child process that must load .ts files. Not enough for a worker thread on Node 20: there
 * `--import tsx` does not apply to the worker's own .ts entry (ERR_UNKNOWN_FILE_EXTENSION), so a worker boots from a
 * small `data:` module that registers tsx first and then imports the .ts entry (see kernels/client.ts WORKER_BOOT).
 */
export const TS_EXEC_ARGV: readonly string[] = ['--import', TSX_IMPORT]

/** Repository root (absolute path). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * node/README.md § Memory (issue 17): V8 lets its heap grow to a multiple of what is live before the next full
 * collection, and under a flood almost all of that multiple is garbage (a records' promises, decoded bodies and
 * buffers promoted while they waited for their synced batch). Measured in the gossip bench's overload phase on a site:
 * heap 109 MB of which ~44 MB live (heap snapshot) by default; ~63 MB with 25 %. The price is more full collections.
 */
export const SITE_HEAP_GROWING_PERCENT = 25

/** Makes V8 collect once its heap is SITE_HEAP_GROWING_PERCENT above what was live (`aip start`, the gossip bench's sites). */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${SITE_HEAP_GROWING_PERCENT}`)
}
