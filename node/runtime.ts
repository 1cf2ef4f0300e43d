/**
 * How to start another Node process or worker thread that runs this project's TypeScript sources.
 * Everything runs through tsx, resolved to an absolute URL so it works from any working directory.
 */
import { fileURLToPath } from 'node:url'

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
