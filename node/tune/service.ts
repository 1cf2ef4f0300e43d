/**
 * `aip tune` as a function (specs/tune-v1.md §1): resolve the parent state, collect the approved data, train, and
 * publish the TuningRecord and the child's ModelCommitment through the records port; the child becomes the current
 * state. `tuneFrom` is shared with erasure (forget.ts), which reruns a ledger without the erased data.
 */
import { join } from 'node:path'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { createRecord, decisionsInForce, decodeRecord, parseRecordId } from '../../protocol/index.ts'
import type { CborMap, DecodedRecord } from '../../protocol/index.ts'
import { ensureBundledModel } from '../../kernels/index.ts'
import type { RecordAccess } from '../records/access.ts'
import { loadBundle } from '../align/service.ts'
import { loadReviews } from '../align/state.ts'
import { commitmentBody } from '../eval/local-engine.ts'
import { commitWeights } from '../model/weights-root.ts'
import { TRAINED_DIR } from '../train/trained.ts'
import { TUNE_CHECKPOINT_EVERY, TUNE_DEFAULT_BATCH, TUNE_DEFAULT_LR, TUNE_DEFAULT_SEED, TUNE_DEFAULT_STEPS, TUNE_DEFAULT_WARMUP, TUNE_MAX_BATCH, TUNE_MAX_BUNDLES, TUNE_MAX_DATA, TUNE_MAX_STEPS, TUNE_TRAINER } from './constants.ts'
import { datumContent, DatumStore, exampleOf } from './data.ts'
import { TuneError } from './errors.ts'
import { hex, sha256 } from './ledger.ts'
import type { LedgerOptions } from './ledger.ts'
import { auditOperatorVia, SiteLog } from './log.ts'
import { runTuning } from './run.ts'
import type { RunDatum, RunOutput } from './run.ts'
import { StateStore, readModelDir } from './states.ts'

export interface Tune {
  access: RecordAccess
  dir: string // DIR/tune
  states: StateStore
  data: DatumStore
  log: SiteLog
}

export function openTune(access: RecordAccess): Tune {
  const dir = join(access.site.dir, 'tune')
  return { access, dir, states: new StateStore(dir), data: new DatumStore(dir), log: new SiteLog(dir) }
}

export async function getRecord(access: RecordAccess, id: string): Promise<DecodedRecord | undefined> {
  if (!/^[a-z0-9]{1,128}$/.test(id)) return undefined
  const bytes = await access.get(id)
  if (bytes === undefined) return undefined
  const o = decodeRecord(bytes)
  return o.action === 'accept' ? o.record : undefined
}

export async function getCommitment(access: RecordAccess, id: string): Promise<DecodedRecord<'ModelCommitment'>> {
  const r = await getRecord(access, id)
  if (r?.type !== 'ModelCommitment') throw new TuneError('TUNE_UNKNOWN_COMMITMENT', `no ModelCommitment ${id} in this site's store`)
  return r as DecodedRecord<'ModelCommitment'>
}

/** T1: the parent's weights in the state store, imported from --model DIR or a bundled model when they match. */
export async function ensureState(t: Tune, c: DecodedRecord<'ModelCommitment'>, modelDir?: string): Promise<string> {
  const root = hex(c.body.weights_root)
  const m = await t.states.manifest(root)
  if (m !== undefined && m.erased !== true) return root
  if (m?.erased === true) throw new TuneError('STATE_ERASED', `the weights of ${c.id} were removed by an erasure`)
  const candidates = [...(modelDir === undefined ? [] : [modelDir]), await ensureBundledModel(), TRAINED_DIR]
  for (const dir of candidates) {
    let r: Uint8Array
    try {
      r = (await commitWeights(dir)).weightsRoot
    } catch {
      continue
    }
    if (hex(r) !== root) continue
    const files = await readModelDir(dir)
    await t.states.put(files.config, files.tensors, { commitment: c.id, parent: c.body.parent?.toString() ?? null, tuning: c.body.tuning?.toString() ?? null })
    return root
  }
  throw new TuneError('TUNE_WEIGHTS_MISSING', `this site holds no weights with root ${root} (pass --model DIR with the model of ${c.id})`)
}

/** T2: a bundle this site holds completely and approved in its latest review. */
export async function approvedItems(access: RecordAccess, id: string) {
  const b = await loadBundle(access, id).catch(() => undefined)
  if (b === undefined || b.draft) throw new TuneError('TUNE_BUNDLE_UNKNOWN', `no AlignmentBundle ${id} in this site's store`)
  if (b.items === undefined) throw new TuneError('TUNE_BUNDLE_INCOMPLETE', `bundle ${id} is incomplete (a chunk is missing)`)
  const d = decisionsInForce(await loadReviews(access.site.dir)).get(id)
  if (d?.decision !== 'approve') throw new TuneError('TUNE_BUNDLE_NOT_APPROVED', `bundle ${id} is ${d === undefined ? 'not reviewed' : 'rejected'}: only approved bundles are trained on (aip align approve ${id} --reason …)`)
  return { kind: b.record.body.kind, items: b.items }
}

/** T2–T4: the data of the bundles, in order, erased data left out. */
export async function collectData(t: Tune, bundles: readonly string[]): Promise<{ data: RunDatum[]; excluded: string[] }> {
  if (bundles.length === 0 || bundles.length > TUNE_MAX_BUNDLES || new Set(bundles).size !== bundles.length) throw new TuneError('TUNE_NO_DATA', `give 1..${TUNE_MAX_BUNDLES} distinct bundles`)
  const data: RunDatum[] = [], excluded: string[] = []
  for (const id of bundles) {
    const { kind, items } = await approvedItems(t.access, id)
    for (const item of items) {
      const content = datumContent(kind, item)
      const h = sha256(content)
      if (t.data.isErased(h)) { excluded.push(hex(h)); continue }
      const example = exampleOf(content, `bundle ${id} item ${item.id}`)
      await t.data.put(h, content)
      data.push({ bundle: id, item: item.id, sha256: h, example })
      if (data.length > TUNE_MAX_DATA) throw new TuneError('TUNE_NO_DATA', `more than ${TUNE_MAX_DATA} data`)
    }
  }
  if (data.length === 0) throw new TuneError('TUNE_NO_DATA', 'the bundles hold no datum to train on')
  return { data, excluded }
}

export interface TuneParams {
  steps?: number
  batch?: number
  lr?: number
  seed?: number
  warmup?: number
}

export function ledgerOptions(p: TuneParams): LedgerOptions {
  const steps = p.steps ?? TUNE_DEFAULT_STEPS, batch = p.batch ?? TUNE_DEFAULT_BATCH, lr = p.lr ?? TUNE_DEFAULT_LR
  if (!Number.isSafeInteger(steps) || steps < 1 || steps > TUNE_MAX_STEPS) throw new RangeError(`steps must be 1..${TUNE_MAX_STEPS}`)
  if (!Number.isSafeInteger(batch) || batch < 1 || batch > TUNE_MAX_BATCH) throw new RangeError(`batch must be 1..${TUNE_MAX_BATCH}`)
  if (!Number.isFinite(lr) || lr <= 0 || lr > 1) throw new RangeError('lr must be in (0, 1]')
  return {
    seed: (p.seed ?? TUNE_DEFAULT_SEED) >>> 0, batch, steps, warmup: p.warmup ?? Math.min(TUNE_DEFAULT_WARMUP, Math.floor(steps / 10)), lr,
    maxGradNorm: 1, auxCoef: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01,
  }
}

export interface Tuned {
  tuning: DecodedRecord<'TuningRecord'>
  commitment: DecodedRecord<'ModelCommitment'>
  ledgerRoot: string
  weightsRoot: string
  data: number
}

/** Publishes a record through the site's door; a refusal is an error. */
async function publish(access: RecordAccess, r: DecodedRecord): Promise<void> {
  const o = await access.publish(r.bytes)
  if (o.action !== 'accept' && o.code !== 'duplicate') throw new Error(`storing the ${r.type}: ${o.action} ${o.code} ${o.message ?? ''}`)
}

/** T5–T6: trains from `parent` on `data`, stores ledger and state, signs and publishes the records, makes the child current. */
export async function tuneFrom(t: Tune, parent: DecodedRecord<'ModelCommitment'>, data: RunDatum[], options: LedgerOptions, now: number, onStep?: (s: number, loss: number) => void): Promise<Tuned> {
  const parentRoot = await ensureState(t, parent)
  const work = join(t.dir, `parent-${process.pid}`)
  await t.states.materialize(parentRoot, work)
  let out
  try {
    out = runTuning({ parent: { id: parent.id, weightsRoot: parent.body.weights_root }, modelDir: work, data, options, checkpointEvery: TUNE_CHECKPOINT_EVERY, onStep })
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  return recordRun(t, parent, out, data, { steps: options.steps, trainer: TUNE_TRAINER, replayable: true }, now)
}

/**
 * T6 (and X8 for an external run): stores the ledger and the child state, signs and publishes the TuningRecord and
 * the child's ModelCommitment, makes the child current and records the run in the site log and the audit log.
 */
export async function recordRun(t: Tune, parent: DecodedRecord<'ModelCommitment'>, out: RunOutput, data: ReadonlyArray<{ bundle: string }>, run: { steps: number; trainer: string; replayable: boolean }, now: number): Promise<Tuned> {
  const ledgerRoot = hex(out.chain.root)
  await mkdir(join(t.dir, 'ledgers'), { recursive: true, mode: 0o700 })
  await writeFile(join(t.dir, 'ledgers', `${ledgerRoot}.cbor`), out.chain.bytes(), { mode: 0o600 })
  const weightsRoot = await t.states.put(out.config, out.tensors, { commitment: null, parent: parent.id, tuning: null })
  const bundles = [...new Set(data.map((d) => d.bundle))].map((b) => parseRecordId(b))
  const key = t.access.site.key
  const tuning = createRecord('TuningRecord', {
    parent: parseRecordId(parent.id), weights_root: out.weightsRoot, ledger_root: out.chain.root, bundles, data_count: data.length, steps: run.steps, trainer: run.trainer, replayable: run.replayable,
  }, key, now)
  await publish(t.access, tuning)
  const childDir = join(t.dir, `child-${process.pid}`)
  await t.states.materialize(weightsRoot, childDir)
  let body
  try {
    body = await commitmentBody(childDir, `${parent.body.name.slice(0, 200)}+tune-${ledgerRoot.slice(0, 12)}`)
  } finally {
    await rm(childDir, { recursive: true, force: true })
  }
  const commitment = createRecord('ModelCommitment', { ...body, parent: parseRecordId(parent.id), ledger_root: out.chain.root, tuning: parseRecordId(tuning.id) }, key, now)
  await publish(t.access, commitment)
  await t.states.setMeta(weightsRoot, { commitment: commitment.id, tuning: tuning.id })
  await t.states.setCurrent(commitment.id, weightsRoot)
  const event: CborMap = { kind: 'tune', time: now, tuning: tuning.id, commitment: commitment.id, parent: parent.id, ledger_root: out.chain.root }
  await t.log.append(event)
  await auditOperatorVia(t.access, 'tuning', `TuningRecord ${tuning.id}`, `ModelCommitment ${commitment.id} from ${parent.id}, ${run.steps} steps on ${data.length} data by ${run.trainer}`, now)
  return { tuning, commitment, ledgerRoot, weightsRoot, data: data.length }
}

/** §1: `aip tune --from COMMITMENT --bundle ID…`. */
export async function tune(access: RecordAccess, o: { from: string; bundles: string[]; params: TuneParams; model?: string; now: number; onStep?: (s: number, loss: number) => void }): Promise<Tuned & { excluded: string[] }> {
  const t = openTune(access)
  const parent = await getCommitment(access, o.from)
  await ensureState(t, parent, o.model)
  const options = ledgerOptions(o.params)
  const { data, excluded } = await collectData(t, o.bundles)
  return { ...(await tuneFrom(t, parent, data, options, o.now, o.onStep)), excluded }
}
