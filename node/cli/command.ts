/**
 * The contract every `aip` subcommand implements. One file per top-level command in node/cli/commands/,
 * named after the command (`aip model info` → commands/model.ts, which dispatches its own subcommands).
 */
export interface Command {
  /** One line, shown by `aip --help`. */
  summary: string
  /** Full help text, shown by `aip CMD --help`. */
  usage: string
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>
}

/** An error the user caused (bad flag, missing file). Printed without a stack trace; exit code 2 by default. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message)
    this.name = 'UsageError'
  }
}

/** True when argv asks for help. */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h')
}
