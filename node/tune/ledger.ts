/**
 * The tuning ledger and the site log (specs/tune-v1.md §2, §7): an RFC 8742 sequence of AIP deterministic CBOR maps,
 * each with `kind` and `prev` = SHA-256 of the previous entry's bytes (32 zero bytes first); the root is the hash of
 * the last entry. `Chain` writes entries; `readChain` checks the framing (L1–L2); `parseLedger` checks the tuning
 * ledger's grammar (L1) and returns its parts.
 */
import { createHash } from 'node:crypto'
import { decodeCanonical, encodeCanonical, isMap } from '../../protocol/index.ts'
import type { CborMap, CborValue } from '../../protocol/index.ts'
import { joinSequence, splitSequence } from '../records/sequence.ts'
import { TUNE_EXTERNAL_TRAINER, TUNE_MAX_BATCH, TUNE_MAX_DATA, TUNE_MAX_LEDGER_BYTES, TUNE_MAX_LEDGER_ENTRY_BYTES, TUNE_MAX_LEDGER_TEXT, TUNE_MAX_STEPS } from './constants.ts'
import { TuneError } from './errors.ts'

export const ZERO_HASH = new Uint8Array(32)
export const sha256 = (b: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest())
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** §2: decimal text of a binary64 (the shortest that reads back as the same value). */
export const decimal = (x: number): string => String(x)

/** Appends hash-chained entries. */
export class Chain {
  readonly entries: Uint8Array[] = []
  private prev: Uint8Array

  constructor(prev: Uint8Array = ZERO_HASH) {
    this.prev = prev
  }

  /** Encodes `fields` with `prev`, appends it and returns its bytes. */
  push(fields: CborMap): Uint8Array {
    const bytes = encodeCanonical({ ...fields, prev: this.prev })
    if (bytes.length > TUNE_MAX_LEDGER_ENTRY_BYTES) throw new TuneError('TUNE_LEDGER_MALFORMED', `a ledger entry of ${bytes.length} bytes exceeds ${TUNE_MAX_LEDGER_ENTRY_BYTES}`)
    this.entries.push(bytes)
    this.prev = sha256(bytes)
    return bytes
  }

  /** The hash of the last entry (ZERO_HASH when empty). */
  get root(): Uint8Array {
    return this.prev
  }

  bytes(): Uint8Array {
    return joinSequence(this.entries)
  }
}

export interface ChainEntry {
  bytes: Uint8Array
  map: CborMap
}

/** L1–L2: splits and decodes a chain file and checks every `prev`. Returns the entries and the root. */
export function readChain(file: Uint8Array): { entries: ChainEntry[]; root: Uint8Array } {
  if (file.length > TUNE_MAX_LEDGER_BYTES) throw new TuneError('TUNE_LEDGER_MALFORMED', `ledger of ${file.length} bytes exceeds ${TUNE_MAX_LEDGER_BYTES}`)
  let prev: Uint8Array = ZERO_HASH
  const entries: ChainEntry[] = []
  for (const item of splitSequence(file)) {
    if ('error' in item) throw new TuneError('TUNE_LEDGER_MALFORMED', `entry at byte ${item.offset}: ${item.error}`)
    let map: CborValue
    try {
      map = decodeCanonical(item.bytes, { maxBytes: TUNE_MAX_LEDGER_ENTRY_BYTES })
    } catch (err) {
      throw new TuneError('TUNE_LEDGER_MALFORMED', `entry ${entries.length}: ${(err as Error).message}`)
    }
    if (!isMap(map) || typeof map.kind !== 'string' || !(map.prev instanceof Uint8Array) || map.prev.length !== 32) {
      throw new TuneError('TUNE_LEDGER_MALFORMED', `entry ${entries.length}: not a map with kind and a 32-byte prev`)
    }
    if (Buffer.compare(map.prev, prev) !== 0) throw new TuneError('TUNE_LEDGER_BROKEN', `entry ${entries.length}: prev is not the hash of the entry before`)
    entries.push({ bytes: item.bytes, map })
    prev = sha256(item.bytes)
  }
  return { entries, root: prev }
}

export interface LedgerOptions {
  seed: number
  batch: number
  steps: number
  warmup: number
  lr: number
  maxGradNorm: number
  auxCoef: number
  beta1: number
  beta2: number
  eps: number
  weightDecay: number
}

export interface LedgerDatum {
  index: number
  bundle: string
  item: string
  sha256: Uint8Array
}

/** The `external` entry of a site-attested run (§1.1 X8, §2). */
export interface LedgerExternal {
  argv: string[]
  dir: string
  manifestSha256: Uint8Array
  inputs: Array<{ name: string; sha256: Uint8Array }>
  logSha256: Uint8Array
  outputSha256: Uint8Array
  exitCode: number
  wallMs: number
}

export interface ParsedLedger {
  parent: string
  parentWeightsRoot: Uint8Array
  trainer: string
  options: LedgerOptions
  checkpointEvery: number
  data: LedgerDatum[]
  /** Weights root after the last step (the last checkpoint), or the external entry's. */
  weightsRoot: Uint8Array
  root: Uint8Array
  entries: ChainEntry[]
  /** An external run's entry (trainer TUNE_EXTERNAL_TRAINER, §1.1); its ledger has no step or checkpoint entries. */
  external?: LedgerExternal
}

const bad = (i: number, why: string): never => {
  throw new TuneError('TUNE_LEDGER_MALFORMED', `entry ${i}: ${why}`)
}

function exact(m: CborMap, i: number, keys: readonly string[]): void {
  const have = Object.keys(m).sort()
  const want = [...keys, 'kind', 'prev'].sort()
  if (have.join() !== want.join()) bad(i, `fields ${have.join(',')} (expected ${want.join(',')})`)
}

const uintOf = (v: CborValue | undefined, i: number, name: string, max = Number.MAX_SAFE_INTEGER): number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max ? v : bad(i, `${name} is not an integer in 0..${max}`)
const textOf = (v: CborValue | undefined, i: number, name: string): string => (typeof v === 'string' && v.length <= TUNE_MAX_LEDGER_TEXT ? v : bad(i, `${name} is not text`))
const digestOf = (v: CborValue | undefined, i: number, name: string): Uint8Array => (v instanceof Uint8Array && v.length === 32 ? v : bad(i, `${name} is not 32 bytes`))
const numberOf = (v: CborValue | undefined, i: number, name: string): number => {
  const t = textOf(v, i, name)
  const x = Number(t)
  return Number.isFinite(x) && decimal(x) === t ? x : bad(i, `${name} '${t}' is not the decimal text of a finite number`)
}

const OPTION_KEYS = ['seed', 'batch', 'steps', 'warmup', 'lr', 'max_grad_norm', 'aux_coef', 'beta1', 'beta2', 'eps', 'weight_decay'] as const

/** The `options` map of a run entry (§2). */
export function optionsMap(o: LedgerOptions): CborMap {
  return {
    seed: o.seed, batch: o.batch, steps: o.steps, warmup: o.warmup, lr: decimal(o.lr), max_grad_norm: decimal(o.maxGradNorm), aux_coef: decimal(o.auxCoef),
    beta1: decimal(o.beta1), beta2: decimal(o.beta2), eps: decimal(o.eps), weight_decay: decimal(o.weightDecay),
  }
}

/** L1: the grammar of a tuning ledger: run, datum × data, then steps with checkpoints; ends with the last checkpoint. */
export function parseLedger(file: Uint8Array): ParsedLedger {
  const { entries, root } = readChain(file)
  if (entries.length === 0) bad(0, 'empty ledger')
  const run = entries[0]!.map
  if (run.kind !== 'run') bad(0, 'the first entry is not a run')
  exact(run, 0, ['version', 'parent', 'parent_weights_root', 'trainer', 'options', 'data', 'checkpoint_every'])
  if (run.version !== 1) bad(0, 'version is not 1')
  const om = run.options
  if (!isMap(om)) return bad(0, 'options is not a map')
  if (Object.keys(om).sort().join() !== [...OPTION_KEYS].sort().join()) bad(0, 'options has unknown or missing fields')
  const options: LedgerOptions = {
    seed: uintOf(om.seed, 0, 'seed', 0xffffffff), batch: uintOf(om.batch, 0, 'batch', TUNE_MAX_BATCH), steps: uintOf(om.steps, 0, 'steps', TUNE_MAX_STEPS),
    warmup: uintOf(om.warmup, 0, 'warmup', TUNE_MAX_STEPS), lr: numberOf(om.lr, 0, 'lr'), maxGradNorm: numberOf(om.max_grad_norm, 0, 'max_grad_norm'),
    auxCoef: numberOf(om.aux_coef, 0, 'aux_coef'), beta1: numberOf(om.beta1, 0, 'beta1'), beta2: numberOf(om.beta2, 0, 'beta2'),
    eps: numberOf(om.eps, 0, 'eps'), weightDecay: numberOf(om.weight_decay, 0, 'weight_decay'),
  }
  if (options.batch < 1 || options.steps < 1) bad(0, 'batch and steps must be at least 1')
  const dataCount = uintOf(run.data, 0, 'data', TUNE_MAX_DATA)
  const every = uintOf(run.checkpoint_every, 0, 'checkpoint_every', TUNE_MAX_STEPS)
  const external = run.trainer === TUNE_EXTERNAL_TRAINER // §2: datum entries, then one external entry
  if (dataCount < 1 || (external ? every !== 0 : every < 1)) bad(0, `data must be at least 1 and checkpoint_every ${external ? '0 (external run)' : 'at least 1'}`)
  const data: LedgerDatum[] = []
  let i = 1
  for (; i <= dataCount; i++) {
    const m = entries[i]?.map ?? bad(i, 'missing datum entry')
    if (m.kind !== 'datum') bad(i, 'expected a datum entry')
    exact(m, i, ['index', 'bundle', 'item', 'sha256'])
    if (m.index !== i - 1) bad(i, `index is not ${i - 1}`)
    data.push({ index: i - 1, bundle: textOf(m.bundle, i, 'bundle'), item: textOf(m.item, i, 'item'), sha256: digestOf(m.sha256, i, 'sha256') })
  }
  let weightsRoot: Uint8Array | undefined
  let ext: LedgerExternal | undefined
  if (external) {
    ext = externalEntry(entries[i]?.map ?? bad(i, 'missing external entry'), i)
    weightsRoot = digestOf(entries[i]!.map.weights_root, i, 'weights_root')
    i++
  }
  for (let step = 1; !external && step <= options.steps; step++) {
    const m = entries[i]?.map ?? bad(i, `missing step ${step}`)
    if (m.kind !== 'step') bad(i, 'expected a step entry')
    exact(m, i, ['step', 'seed', 'batch', 'lr', 'loss', 'grad_norm'])
    if (m.step !== step || m.seed !== options.seed) bad(i, `step is not ${step} or seed is not the run's`)
    if (!Array.isArray(m.batch) || m.batch.length < 1 || m.batch.length > options.batch) bad(i, 'batch is not 1..batch datum indices')
    for (const x of m.batch as CborValue[]) uintOf(x, i, 'batch index', dataCount - 1)
    textOf(m.lr, i, 'lr'); textOf(m.loss, i, 'loss'); textOf(m.grad_norm, i, 'grad_norm')
    i++
    if (step % every === 0 || step === options.steps) {
      const c = entries[i]?.map ?? bad(i, `missing checkpoint after step ${step}`)
      if (c.kind !== 'checkpoint') bad(i, 'expected a checkpoint entry')
      exact(c, i, ['step', 'weights_root'])
      if (c.step !== step) bad(i, `checkpoint step is not ${step}`)
      weightsRoot = digestOf(c.weights_root, i, 'weights_root')
      i++
    }
  }
  if (i !== entries.length) bad(i, 'entries after the last checkpoint')
  return {
    parent: textOf(run.parent, 0, 'parent'), parentWeightsRoot: digestOf(run.parent_weights_root, 0, 'parent_weights_root'), trainer: textOf(run.trainer, 0, 'trainer'),
    options, checkpointEvery: every, data, weightsRoot: weightsRoot!, root, entries, ...(ext === undefined ? {} : { external: ext }),
  }
}

/** §2: the `external` entry of a site-attested run. */
function externalEntry(m: CborMap, i: number): LedgerExternal {
  if (m.kind !== 'external') bad(i, 'expected an external entry')
  exact(m, i, ['argv', 'dir', 'manifest_sha256', 'inputs', 'log_sha256', 'output_sha256', 'weights_root', 'exit_code', 'wall_ms'])
  if (!Array.isArray(m.argv) || m.argv.length < 1 || m.argv.length > 16) bad(i, 'argv is not 1..16 texts')
  if (!Array.isArray(m.inputs) || m.inputs.length < 1 || m.inputs.length > 16) bad(i, 'inputs is not 1..16 files')
  return {
    argv: (m.argv as CborValue[]).map((a) => textOf(a, i, 'argv')),
    dir: textOf(m.dir, i, 'dir'),
    manifestSha256: digestOf(m.manifest_sha256, i, 'manifest_sha256'),
    inputs: (m.inputs as CborValue[]).map((x) => {
      if (!isMap(x) || Object.keys(x).sort().join() !== 'name,sha256') return bad(i, 'an input is not {name, sha256}')
      return { name: textOf(x.name, i, 'input name'), sha256: digestOf(x.sha256, i, 'input sha256') }
    }),
    logSha256: digestOf(m.log_sha256, i, 'log_sha256'),
    outputSha256: digestOf(m.output_sha256, i, 'output_sha256'),
    exitCode: uintOf(m.exit_code, i, 'exit_code', 255),
    wallMs: uintOf(m.wall_ms, i, 'wall_ms'),
  }
}
