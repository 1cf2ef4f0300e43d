/** Errors of node/eval, each with a code from a fixed set (specs/evaluation-v1.md §8). */

export type EvalErrorCode =
  | 'SUITE_TOO_LARGE'
  | 'SUITE_MALFORMED'
  | 'SUITE_EMPTY'
  | 'ENGINE_FAILED'
  | 'ENGINE_NOT_ALLOWED'
  | 'ENGINE_BAD_RESPONSE'
  | 'CHECKPOINT_MISMATCH'
  | 'RESULT_INVALID'

export class EvalError extends Error {
  constructor(readonly code: EvalErrorCode, message: string) {
    super(`${code}: ${message}`)
    this.name = 'EvalError'
  }
}

/** One problem on one line of a JSONL suite (line numbers start at 1). */
export interface LineError {
  line: number
  message: string
}

/** A suite import that failed: every line error found (up to MAX_REPORTED_ERRORS); nothing was imported. */
export class SuiteImportError extends EvalError {
  constructor(readonly errors: LineError[], readonly truncated: boolean) {
    super('SUITE_MALFORMED', errors.map((e) => `line ${e.line}: ${e.message}`).join('; ') + (truncated ? '; …' : ''))
    this.name = 'SuiteImportError'
  }
}
