/**
 * `aip model states | certify | rollback` (specs/tune-v1.md §4): the site's chain of model states, certification,
 * and bit-exact rollback. Called by commands/model.ts.
 */
import { UsageError } from './command.ts'
import { output, required, siteDir } from './args.ts'
import { openRecords } from '../records/access.ts'
import { TuneError } from '../tune/errors.ts'
import { certifyState, listStates, rollback } from '../tune/history.ts'

export const STATES_USAGE = `  aip model states   --dir DIR [--json]
  aip model certify  --dir DIR --commitment ID [--model DIR] [--json]
  aip model rollback --dir DIR --to COMMITMENT [--uncertified] [--json]`

export const STATES_HELP = `  states         the site's model states (specs/tune-v1.md §4): the current chain first — commitment, parent,
                 tuning record, certified, current, erased
  certify        the site signs a state (its weights enter the state store: from --model DIR, a bundled model or
                 an earlier tuning)
  rollback       restores a stored, certified state bit for bit (weights root recomputed from the written files) as
                 DIR/tune/model; recorded in the tuning log and the audit log`

export async function modelStates(sub: string, values: { dir?: string; json?: boolean; commitment?: string; to?: string; uncertified?: boolean; model?: string }, usage: string): Promise<number> {
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    if (sub === 'states') {
      const rows = await listStates(access)
      output(values.json, rows, () => rows.length === 0 ? 'no model states (aip tune or aip model certify adds one)' : rows.map((r) =>
        `${r.current ? '*' : ' '} ${r.commitment ?? '(no commitment)'}  ${r.certified ? 'certified' : '         '} ${r.erased ? 'ERASED ' : ''}root ${r.weights_root.slice(0, 16)}…` +
        `${r.parent === null ? '' : `\n    parent ${r.parent}`}${r.tuning === null ? '' : `\n    tuning ${r.tuning}`}`).join('\n'))
      return 0
    }
    if (sub === 'certify') {
      const r = await certifyState(access, required(values.commitment, '--commitment', usage), Date.now(), values.model)
      output(values.json, r, () => `certified ${r.commitment} (weights root ${r.weights_root})`)
      return 0
    }
    const r = await rollback(access, required(values.to, '--to', usage), { uncertified: values.uncertified, now: Date.now() })
    output(values.json, r, () => `rolled back to ${r.to} (weights root ${r.weights_root}, ${r.ms.toFixed(0)} ms); was ${r.from ?? 'none'}`)
    return 0
  } catch (err) {
    if (err instanceof TuneError) throw new UsageError(`[${err.code}] ${err.message}`, 1)
    throw err
  } finally {
    await access.close()
  }
}
