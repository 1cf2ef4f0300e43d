/** The error codes of SovereignTune (specs/tune-v1.md §9): hostile or wrong input ends in one of these, never a crash. */
export const TUNE_CODES = [
  'TUNE_UNKNOWN_COMMITMENT', 'TUNE_WEIGHTS_MISSING', 'TUNE_BUNDLE_UNKNOWN', 'TUNE_BUNDLE_INCOMPLETE', 'TUNE_BUNDLE_NOT_APPROVED',
  'TUNE_BUNDLE_KIND', 'TUNE_DATUM_TOO_LONG', 'TUNE_NO_DATA', 'TUNE_LEDGER_MALFORMED', 'TUNE_LEDGER_BROKEN',
  'TUNE_LEDGER_ROOT_MISMATCH', 'TUNE_LEDGER_MISSING', 'TUNE_RECORD_MISSING', 'TUNE_RECORD_MISMATCH', 'TUNE_DATA_NOT_APPROVED',
  'TUNE_DATUM_MISMATCH', 'TUNE_DATUM_ERASED', 'TUNE_DATUM_UNKNOWN', 'TUNE_REPLAY_MISMATCH', 'TUNE_ROOT_MISMATCH', 'TUNE_NOT_REPLAYABLE',
  'STATE_UNKNOWN', 'STATE_NOT_CERTIFIED', 'STATE_ERASED', 'STATE_CORRUPT',
] as const
export type TuneCode = (typeof TUNE_CODES)[number]

export class TuneError extends Error {
  constructor(readonly code: TuneCode, message: string) {
    super(message)
    this.name = 'TuneError'
  }
}
