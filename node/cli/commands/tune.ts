/**
 * `aip tune` — SovereignTune (specs/tune-v1.md): fine-tune the site's model on approved alignment bundles with a
 * replayable, hash-chained ledger; verify a tuning by replaying it; erase a datum exactly.
 */
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { output, parse, required, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { TuneError } from '../../tune/errors.ts'
import { tune } from '../../tune/service.ts'
import { tuneExternal } from '../../tune/external.ts'
import { verifyLineage, verifyTuning } from '../../tune/verify.ts'
import { forget } from '../../tune/forget.ts'
import { TUNE_DEFAULT_BATCH, TUNE_DEFAULT_LR, TUNE_DEFAULT_SEED, TUNE_DEFAULT_STEPS, TUNE_EXTERNAL_DEFAULT_TIMEOUT_S } from '../../tune/constants.ts'

const usage = `Usage: aip tune         --dir DIR --from COMMITMENT --bundle ID [--bundle ID ...] [--steps N] [--batch B]
                          [--lr X] [--seed S] [--model DIR] [--trainer ts|external] [--command CMD]
                          [--timeout SECONDS] [--json]
       aip tune verify  --dir DIR (--commitment CHILD | --result RESULT) [--json]
       aip tune forget  --dir DIR --item SHA256 [--json]

tune     fine-tunes the model of COMMITMENT (a ModelCommitment in the store; its weights from the site's state store,
         --model DIR, or a bundled model) on APPROVED alignment bundles only (aip align approve), on the TS reference
         trainer (binary64, replayable bit for bit). Writes a hash-chained ledger (every datum: bundle, item, SHA-256;
         every step: seed, batch, learning rate, loss, gradient norm; checkpoint weights roots), signs a TuningRecord
         with its root and a ModelCommitment of the result linking parent and tuning record, and makes the result
         the site's current model (DIR/tune/model). Defaults: --steps ${TUNE_DEFAULT_STEPS} --batch ${TUNE_DEFAULT_BATCH} --lr ${TUNE_DEFAULT_LR} --seed ${TUNE_DEFAULT_SEED}.
         --lora RANK is not implemented (TUNE_LORA_UNSUPPORTED).
         --trainer external: for models too large to train here (specs/tune-v1.md §1.1). Exports the approved data
         in TRL's conversational SFT/DPO layouts with a manifest to DIR/tune/external/RUN/, runs CMD (--command, else
         config.json "tune": {"externalCommand": CMD}) as /bin/sh -c CMD aip-tune MANIFEST (also $AIP_TUNE_MANIFEST;
         the output path is $AIP_TUNE_OUTPUT), timeout --timeout (default ${TUNE_EXTERNAL_DEFAULT_TIMEOUT_S} s), ingests the
         safetensors it writes (the parent's tensor names, shapes and dtypes; finite values) and records the run as
         site-attested (replayable: false). --steps/--batch/--lr/--seed are hints in the manifest.
         Example trainer: /usr/bin/python3 scripts/external-trainer.py (PyTorch, the bundled model).
verify   replays the ledger of CHILD from its parent's weights and checks every entry and the weights root;
         an external run is checked (records, ledger, data, stored weights, kept manifest and log) but cannot be
         replayed: it prints [TUNE_NOT_REPLAYABLE] site-attested and exits 3;
         --result: a peer's lineage check without the ledger (result → commitment → TuningRecord → parent, bundles).
forget   destroys the stored datum's key (crypto-shredding; the ledgers keep the hash) and replays the current
         chain without it from the last state before its first use; records the erasure. The replay stops before an
         external run (it cannot be rerun here): that run's state and those after it are removed and listed as
         not_rerun, to be re-run with --trainer external. Read specs/tune-v1.md §5 for what this does and does not achieve.
Errors print [CODE] (specs/tune-v1.md §9) and exit 1.`

function num(v: string | undefined, flag: string, integer: boolean): number | undefined {
  if (v === undefined) return undefined
  const x = Number(v)
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !Number.isSafeInteger(x)) || x < 0) throw new UsageError(`${flag}: '${v}' is not a valid ${integer ? 'non-negative integer' : 'number'}`)
  return x
}

const command: Command = {
  summary: 'SovereignTune: fine-tune on approved alignment data with a replayable ledger; verify; forget a datum',
  usage,
  async run(argv) {
    if (wantsHelp(argv) || argv.length === 0) { console.log(usage); return argv.length === 0 ? 2 : 0 }
    const sub = argv[0] === 'verify' || argv[0] === 'forget' ? argv[0] : 'tune'
    const { values, positionals } = parse(sub === 'tune' ? argv : argv.slice(1), {
      dir: { type: 'string' }, json: { type: 'boolean' }, from: { type: 'string' }, bundle: { type: 'string', multiple: true }, steps: { type: 'string' },
      batch: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' }, model: { type: 'string' }, lora: { type: 'string' },
      commitment: { type: 'string' }, item: { type: 'string' }, result: { type: 'string' }, trainer: { type: 'string' }, command: { type: 'string' },
      timeout: { type: 'string' },
    }, usage)
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${usage}`)
    if (values.lora !== undefined) throw new UsageError('[TUNE_LORA_UNSUPPORTED] --lora is not implemented in this revision (specs/tune-v1.md T7); full fine-tuning only', 1)
    const dir = siteDir(values.dir, usage)
    const access = await openRecords(dir)
    try {
      if (sub === 'tune') {
        const bundles = values.bundle ?? []
        if (bundles.length === 0) throw new UsageError(`--bundle ID is required\n\n${usage}`)
        const params = { steps: num(values.steps, '--steps', true), batch: num(values.batch, '--batch', true), lr: num(values.lr, '--lr', false), seed: num(values.seed, '--seed', true) }
        const trainer = values.trainer ?? 'ts'
        if (trainer !== 'ts' && trainer !== 'external') throw new UsageError(`--trainer must be ts or external, not '${trainer}'`)
        if (trainer === 'ts' && (values.command !== undefined || values.timeout !== undefined)) throw new UsageError('--command and --timeout go with --trainer external')
        const from = required(values.from, '--from', usage)
        let r
        try {
          r = trainer === 'external'
            ? await tuneExternal(access, { from, bundles, params, model: values.model, command: values.command, timeoutS: num(values.timeout, '--timeout', false), now: Date.now() })
            : await tune(access, { from, bundles, params, model: values.model, now: Date.now(), onStep: values.json ? undefined : (s, loss) => process.stderr.write(`step ${s} loss ${loss.toFixed(4)}\n`) })
        } catch (err) {
          if (err instanceof RangeError) throw new UsageError(err.message)
          throw err
        }
        const runDir = 'runDir' in r ? r.runDir : undefined
        output(values.json, { tuning: r.tuning.id, commitment: r.commitment.id, parent: values.from, ledger_root: r.ledgerRoot, weights_root: r.weightsRoot, data: r.data, excluded_erased: r.excluded, trainer: r.tuning.body.trainer, replayable: r.tuning.body.replayable, ...(runDir === undefined ? {} : { run_dir: runDir }) }, () => [
          ...(runDir === undefined ? [] : [`external run     ${runDir} (manifest.json, trainer.log); site-attested, not replayable`]),
          `TuningRecord     ${r.tuning.id}`, `ModelCommitment  ${r.commitment.id} (current model: ${dir}/tune/model)`,
          `ledger root      ${r.ledgerRoot}`, `weights root     ${r.weightsRoot}`, `data             ${r.data}${r.excluded.length > 0 ? ` (${r.excluded.length} erased datum(s) left out)` : ''}`,
        ].join('\n'))
        return 0
      }
      if (sub === 'verify' && values.result !== undefined) {
        const l = await verifyLineage(access, values.result)
        output(values.json, { ok: true, ...l }, () => `OK: result ${l.result} → ModelCommitment ${l.child} → TuningRecord ${l.tuning} → parent ${l.parent}; bundles ${l.bundles.join(', ')}`)
        return 0
      }
      if (sub === 'verify') {
        const v = await verifyTuning(access, required(values.commitment, '--commitment', usage))
        if (!v.replayed) {
          // tune-v1 §3: an external run checks out but is the site's word, not a replay — exit 3, neither 0 nor 1
          output(values.json, { ok: true, attested: 'site', code: 'TUNE_NOT_REPLAYABLE', ...v }, () => `[TUNE_NOT_REPLAYABLE] site-attested, not replayable: an external trainer produced ${v.child}. Checked: the signed TuningRecord and ModelCommitment, the ledger's chain and root, ${v.data} approved data hashing to the ledger, the stored weights (root ${v.weightsRoot}) and the run's manifest and log. The training itself cannot be recomputed.`)
          return 3
        }
        output(values.json, { ok: true, ...v }, () => `OK: ${v.steps} steps on ${v.data} data replayed bit for bit; weights root ${v.weightsRoot}`)
        return 0
      }
      const f = await forget(access, required(values.item, '--item', usage), Date.now())
      output(values.json, f, () => `erased ${f.hash}: key ${f.keyDestroyed ? 'destroyed' : 'already absent'}; ${f.replaced.length - f.notRerun.length} run(s) replayed without it${f.commitment === null ? '' : `; current state ${f.commitment}`}${f.notRerun.length === 0 ? '' : `\n${f.notRerun.length} run(s) from an external trainer on were removed and NOT rerun (they cannot be replayed here): TuningRecord ${f.notRerun.join(', ')}. Re-run them with aip tune --trainer external --from ${f.commitment ?? 'the current state'} (the erased datum is left out).`}`)
      return 0
    } catch (err) {
      if (err instanceof TuneError) throw new UsageError(`[${err.code}] ${err.message}`, 1)
      throw err
    } finally {
      await access.close()
    }
  },
}
export default command
