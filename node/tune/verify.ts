/**
 * `aip tune verify` (specs/tune-v1.md §3): checks that the child commitment, its TuningRecord, the parent and the
 * ledger agree, that every datum is approved and present, then replays the ledger on the TS backend from the parent's
 * weights and compares every entry and the final weights root bit for bit. An external run (§1.1) is checked but not
 * replayed: it is site-attested.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DecodedRecord } from '../../protocol/index.ts'
import type { RecordAccess } from '../records/access.ts'
import { rm } from 'node:fs/promises'
import { TUNE_TRAINER } from './constants.ts'
import { exampleOf, datumContent } from './data.ts'
import { TuneError } from './errors.ts'
import { hex, parseLedger, sha256 } from './ledger.ts'
import type { LedgerDatum, ParsedLedger } from './ledger.ts'
import { runTuning } from './run.ts'
import { rootOfTensors } from './states.ts'
import type { RunDatum } from './run.ts'
import { approvedItems, ensureState, getCommitment, getRecord, openTune } from './service.ts'
import type { Tune } from './service.ts'

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0

export interface Linked {
  child: DecodedRecord<'ModelCommitment'>
  tuning: DecodedRecord<'TuningRecord'>
  parent: DecodedRecord<'ModelCommitment'>
  ledger: ParsedLedger
}

/** §3 step 1: the child commitment, its TuningRecord and the parent, and their agreement (records only). */
export async function tuningRecords(t: Tune, childId: string): Promise<Omit<Linked, 'ledger'>> {
  const child = await getCommitment(t.access, childId)
  const b = child.body
  if (b.tuning === undefined || b.parent === undefined || b.ledger_root === undefined) throw new TuneError('TUNE_RECORD_MISSING', `ModelCommitment ${childId} links no tuning record`)
  const tr = await getRecord(t.access, b.tuning.toString())
  if (tr?.type !== 'TuningRecord') throw new TuneError('TUNE_RECORD_MISSING', `TuningRecord ${b.tuning.toString()} is not in this site's store`)
  const tuning = tr as DecodedRecord<'TuningRecord'>
  const tb = tuning.body
  if (!same(tuning.signer, child.signer) || !tb.parent.equals(b.parent) || !same(tb.ledger_root, b.ledger_root) || !same(tb.weights_root, b.weights_root)) {
    throw new TuneError('TUNE_RECORD_MISMATCH', `TuningRecord ${tuning.id} and ModelCommitment ${childId} disagree (signer, parent, ledger root or weights root)`)
  }
  return { child, tuning, parent: await getCommitment(t.access, tb.parent.toString()) }
}

/** §3 steps 1–2: the records and the ledger, and their agreement. */
export async function linked(t: Tune, childId: string): Promise<Linked> {
  const { child, tuning, parent } = await tuningRecords(t, childId)
  const tb = tuning.body
  let file: Uint8Array
  try {
    file = new Uint8Array(await readFile(join(t.dir, 'ledgers', `${hex(tb.ledger_root)}.cbor`)))
  } catch {
    throw new TuneError('TUNE_LEDGER_MISSING', `this site holds no ledger with root ${hex(tb.ledger_root)}`)
  }
  const ledger = parseLedger(file)
  if (!same(ledger.root, tb.ledger_root)) throw new TuneError('TUNE_LEDGER_ROOT_MISMATCH', `the ledger's root ${hex(ledger.root)} is not the signed ${hex(tb.ledger_root)}`)
  if (ledger.parent !== parent.id || !same(ledger.parentWeightsRoot, parent.body.weights_root) || !same(ledger.weightsRoot, tb.weights_root)
    || ledger.data.length !== tb.data_count || ledger.options.steps !== tb.steps || ledger.trainer !== tb.trainer) {
    throw new TuneError('TUNE_RECORD_MISMATCH', 'the ledger disagrees with its TuningRecord (parent, weights root, data count, steps or trainer)')
  }
  return { child, tuning, parent, ledger }
}

/** §3 step 3: the data of a ledger, each approved and hashing to its entry; `skip` (erased hashes) left out. */
export async function ledgerData(t: Tune, data: readonly LedgerDatum[], listed: ReadonlySet<string>, skip?: ReadonlySet<string>): Promise<RunDatum[]> {
  const bundles = new Map<string, Awaited<ReturnType<typeof approvedItems>>>()
  const out: RunDatum[] = []
  for (const d of data) {
    if (skip?.has(hex(d.sha256))) continue
    if (!listed.has(d.bundle)) throw new TuneError('TUNE_DATA_NOT_APPROVED', `datum ${d.index} comes from bundle ${d.bundle}, which the TuningRecord does not list`)
    let b = bundles.get(d.bundle)
    if (b === undefined) {
      try {
        b = await approvedItems(t.access, d.bundle)
      } catch (err) {
        throw new TuneError('TUNE_DATA_NOT_APPROVED', `datum ${d.index}: ${(err as Error).message}`)
      }
      bundles.set(d.bundle, b)
    }
    let content = await t.data.get(d.sha256)
    if (content === undefined) {
      const item = b.items.find((i) => i.id === d.item)
      if (item === undefined) throw new TuneError('TUNE_DATUM_MISMATCH', `datum ${d.index}: bundle ${d.bundle} has no item ${d.item}`)
      content = datumContent(b.kind, item)
    }
    if (!same(sha256(content), d.sha256)) throw new TuneError('TUNE_DATUM_MISMATCH', `datum ${d.index} (${d.item}): content does not hash to the ledger's ${hex(d.sha256)}`)
    out.push({ bundle: d.bundle, item: d.item, sha256: d.sha256, example: exampleOf(content, `datum ${d.index}`) })
  }
  return out
}

export interface Verified {
  child: string
  tuning: string
  parent: string
  steps: number
  data: number
  weightsRoot: string
  ledgerRoot: string
  /** false: an external run, checked but site-attested (§3, exit code 3 in the CLI). */
  replayed: boolean
}

/**
 * §3 (external runs): steps 1–3, then the stored weights against the recorded root and the run's kept evidence
 * (manifest.json, trainer.log) against the `external` entry; no replay.
 */
async function verifyAttested(t: Tune, { child, tuning, parent, ledger }: Linked): Promise<Verified> {
  const x = ledger.external!
  if (tuning.body.replayable) throw new TuneError('TUNE_RECORD_MISMATCH', `TuningRecord ${tuning.id} claims an external run is replayable`)
  const data = await ledgerData(t, ledger.data, new Set(tuning.body.bundles.map((b) => b.toString())))
  const root = hex(child.body.weights_root)
  if (await t.states.manifest(root) === undefined) throw new TuneError('TUNE_WEIGHTS_MISSING', `the state store holds no weights with root ${root}`)
  const stored = await t.states.tensors(root) // STATE_CORRUPT when a tensor does not hash to its name, STATE_ERASED
  const got = rootOfTensors(stored.tensors.map((s) => ({ ...s, sha256: sha256(s.data) })))
  if (!same(got, child.body.weights_root)) throw new TuneError('TUNE_ROOT_MISMATCH', `the stored weights have root ${hex(got)}, the commitment says ${root}`)
  if (!/^external\/[0-9]+-[0-9a-f]{8}$/.test(x.dir)) throw new TuneError('TUNE_EXTERNAL_EVIDENCE', `the ledger names run directory '${x.dir}', not one of DIR/tune/external/`)
  for (const [file, want] of [['manifest.json', x.manifestSha256], ['trainer.log', x.logSha256]] as const) {
    let bytes: Uint8Array
    try {
      bytes = new Uint8Array(await readFile(join(t.dir, x.dir, file)))
    } catch {
      throw new TuneError('TUNE_EXTERNAL_EVIDENCE', `the run's ${file} (${x.dir}) is missing`)
    }
    if (!same(sha256(bytes), want)) throw new TuneError('TUNE_EXTERNAL_EVIDENCE', `the run's ${file} (${x.dir}) does not hash to the ledger's ${hex(want)}`)
  }
  return { child: child.id, tuning: tuning.id, parent: parent.id, steps: ledger.options.steps, data: data.length, weightsRoot: root, ledgerRoot: hex(ledger.root), replayed: false }
}

export async function verifyTuning(access: RecordAccess, childId: string): Promise<Verified> {
  const t = openTune(access)
  const l = await linked(t, childId)
  if (l.ledger.external !== undefined) return verifyAttested(t, l)
  const { child, tuning, parent, ledger } = l
  if (!tuning.body.replayable || ledger.trainer !== TUNE_TRAINER) throw new TuneError('TUNE_NOT_REPLAYABLE', `trainer ${ledger.trainer} is not replayable bit for bit (tune-v1 §3)`)
  const data = await ledgerData(t, ledger.data, new Set(tuning.body.bundles.map((b) => b.toString())))
  const parentRoot = await ensureState(t, parent)
  const work = join(t.dir, `verify-${process.pid}`)
  await t.states.materialize(parentRoot, work)
  try {
    const out = runTuning({ parent: { id: parent.id, weightsRoot: parent.body.weights_root }, modelDir: work, data, options: ledger.options, checkpointEvery: ledger.checkpointEvery, expect: ledger.entries })
    if (!same(out.weightsRoot, child.body.weights_root)) throw new TuneError('TUNE_ROOT_MISMATCH', `the replay gives weights root ${hex(out.weightsRoot)}, the commitment says ${hex(child.body.weights_root)}`)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  return { child: child.id, tuning: tuning.id, parent: parent.id, steps: ledger.options.steps, data: data.length, weightsRoot: hex(child.body.weights_root), ledgerRoot: hex(ledger.root), replayed: true }
}

/**
 * §3.1: what a peer without the ledger checks — result → ModelCommitment → TuningRecord → parent and bundles, every
 * link held and consistent (no replay).
 */
export async function verifyLineage(access: RecordAccess, resultId: string): Promise<{ result: string; child: string; tuning: string; parent: string; bundles: string[] }> {
  const t = openTune(access)
  const r = await getRecord(access, resultId)
  if (r?.type !== 'BenchmarkResult') throw new TuneError('TUNE_RECORD_MISSING', `no BenchmarkResult ${resultId} in this site's store`)
  const result = r as DecodedRecord<'BenchmarkResult'>
  const { child, tuning, parent } = await tuningRecords(t, result.body.model.toString())
  if (!same(result.body.weights_root, child.body.weights_root)) throw new TuneError('TUNE_RECORD_MISMATCH', `BenchmarkResult ${resultId} states other weights than its ModelCommitment`)
  const bundles = tuning.body.bundles.map((b) => b.toString())
  for (const b of bundles) {
    if ((await getRecord(access, b))?.type !== 'AlignmentBundle') throw new TuneError('TUNE_BUNDLE_UNKNOWN', `TuningRecord ${tuning.id} names bundle ${b}, which this site does not hold`)
  }
  return { result: result.id, child: child.id, tuning: tuning.id, parent: parent.id, bundles }
}
