/** Runs one command with the CLI's error conventions; shared by `aip` (node/cli/main.ts) and `aip start`'s entry. */
import type { Command } from './command.ts'
import { UsageError } from './command.ts'
import { SiteError } from '../site/errors.ts'
import { StoreError } from '../store/store.ts'

/**
 * The command's exit code; a UsageError prints `aip NAME: message` and exits with its code; a SiteError (missing,
 * damaged or insecure site directory) or a locked store prints its message and exits 1; anything else throws.
 */
export async function runCommand(name: string, cmd: Command, argv: string[]): Promise<number> {
  try {
    return await cmd.run(argv)
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`aip ${name}: ${err.message}`)
      return err.exitCode
    }
    if (err instanceof SiteError || (err instanceof StoreError && err.code === 'store_locked')) {
      console.error(`aip ${name}: ${err.message}`)
      return 1
    }
    throw err
  }
}

/** `aip records list | head` closes stdout early: that is the reader's choice, not an error. */
export function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
}
