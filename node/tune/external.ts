/**
 * `aip tune --trainer external` (specs/tune-v1.md §1.1): the approved data exported in TRL's conversational layouts
 * with a manifest, the operator's command run in a fresh run directory (own process group, timeout, log), its output
 * safetensors checked against the parent's tensors and ingested, and the run recorded as site-attested
 * (`replayable: false`) — the ledger's `external` entry holds the command, every input's and the output's SHA-256,
 * the weights root, the exit code and the wall time.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { lstat, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { decodeCanonical, isMap } from '../../protocol/index.ts'
import type { CborMap, CborValue, DecodedRecord } from '../../protocol/index.ts'
import { DTYPE_BYTES, locateTensors, MAX_SAFETENSORS_HEADER_BYTES } from '../../kernels/index.ts'
import type { RecordAccess } from '../records/access.ts'
import { TUNE_EXTERNAL_DEFAULT_TIMEOUT_S, TUNE_EXTERNAL_MAX_TIMEOUT_S, TUNE_EXTERNAL_TRAINER, TUNE_MAX_LEDGER_TEXT } from './constants.ts'
import { TuneError } from './errors.ts'
import { Chain, hex, optionsMap, sha256 } from './ledger.ts'
import type { LedgerOptions } from './ledger.ts'
import type { RunDatum } from './run.ts'
import { approvedItems, collectData, ensureState, getCommitment, ledgerOptions, openTune, recordRun } from './service.ts'
import type { Tune, Tuned, TuneParams } from './service.ts'
import { rootOfTensors } from './states.ts'
import type { StateManifest, Tensor } from './states.ts'

/** X5: the manifest's format name. */
export const EXTERNAL_MANIFEST_FORMAT = 'aip-tune-external/1'

export interface ExternalOptions {
  from: string
  bundles: string[]
  params: TuneParams
  model?: string
  /** X2: the shell command line; else the site config's `tune.externalCommand`. */
  command?: string
  /** X2: seconds; else `tune.externalTimeoutSeconds`, else TUNE_EXTERNAL_DEFAULT_TIMEOUT_S. */
  timeoutS?: number
  now: number
}

export interface ExternalTuned extends Tuned {
  excluded: string[]
  runDir: string
}

/** X2: the command and timeout from the options or the site's config.json (`tune.externalCommand`, `tune.externalTimeoutSeconds`). */
function commandOf(access: RecordAccess, o: ExternalOptions): { command: string; timeoutS: number } {
  const tune = (access.site.config as { tune?: unknown }).tune
  const cfg = typeof tune === 'object' && tune !== null ? tune as Record<string, unknown> : {}
  const command = o.command ?? cfg.externalCommand
  if (command === undefined) throw new TuneError('TUNE_EXTERNAL_COMMAND', 'no external trainer command: pass --command CMD or set "tune": {"externalCommand": CMD} in the site\'s config.json')
  if (typeof command !== 'string' || command.trim() === '' || command.length > TUNE_MAX_LEDGER_TEXT) throw new TuneError('TUNE_EXTERNAL_COMMAND', `the external command must be a non-empty shell command line of at most ${TUNE_MAX_LEDGER_TEXT} characters`)
  const timeoutS = o.timeoutS ?? cfg.externalTimeoutSeconds ?? TUNE_EXTERNAL_DEFAULT_TIMEOUT_S
  if (typeof timeoutS !== 'number' || !(timeoutS > 0) || timeoutS > TUNE_EXTERNAL_MAX_TIMEOUT_S) throw new TuneError('TUNE_EXTERNAL_COMMAND', `the timeout must be a number of seconds in (0, ${TUNE_EXTERNAL_MAX_TIMEOUT_S}]`)
  return { command, timeoutS }
}

type Turn = { role: string; content: string }

/** X4: the datum's prompt turns and answer (decoded from its stored content, T4). */
async function datumTurns(t: Tune, d: RunDatum): Promise<{ prompt: Turn[]; answer: string }> {
  const content = await t.data.get(d.sha256)
  const m = content === undefined ? undefined : decodeCanonical(content)
  if (!isMap(m) || typeof m.prompt !== 'string' || typeof m.answer !== 'string') throw new TuneError('TUNE_DATUM_MISMATCH', `datum ${d.item} of bundle ${d.bundle}: stored content is not {prompt, answer}`)
  const context = Array.isArray(m.context) ? (m.context as CborValue[]).filter(isMap).map((c: CborMap) => ({ role: String(c.role), content: String(c.content) })) : []
  return { prompt: [...context, { role: 'user', content: m.prompt }], answer: m.answer }
}

interface DataFile { type: 'sft' | 'dpo'; format: string; path: string; sha256: string; rows: Array<{ index: number; bundle: string; item: string; sha256: string }> }

/** X4: sft.jsonl (every datum) and dpo.jsonl (the data of preference bundles) in `dataDir`. */
async function exportData(t: Tune, data: readonly RunDatum[], dataDir: string): Promise<DataFile[]> {
  const sft: string[] = [], dpo: string[] = [], sftRows: DataFile['rows'] = [], dpoRows: DataFile['rows'] = []
  const bundles = new Map<string, Awaited<ReturnType<typeof approvedItems>>>()
  for (const [index, d] of data.entries()) {
    const { prompt, answer } = await datumTurns(t, d)
    const row = { index, bundle: d.bundle, item: d.item, sha256: hex(d.sha256) }
    sft.push(JSON.stringify({ prompt, completion: [{ role: 'assistant', content: answer }] }))
    sftRows.push(row)
    let b = bundles.get(d.bundle)
    if (b === undefined) bundles.set(d.bundle, (b = await approvedItems(t.access, d.bundle)))
    const rejected = b.kind === 'preference' ? b.items.find((i) => i.id === d.item)?.rejected : undefined
    if (rejected === undefined) continue
    dpo.push(JSON.stringify({ prompt, chosen: [{ role: 'assistant', content: answer }], rejected: [{ role: 'assistant', content: rejected }] }))
    dpoRows.push(row)
  }
  const files: DataFile[] = []
  for (const [type, lines, rows, format] of [['sft', sft, sftRows, 'trl-conversational-prompt-completion'], ['dpo', dpo, dpoRows, 'trl-conversational-preference']] as const) {
    if (lines.length === 0) continue
    const path = join(dataDir, `${type}.jsonl`)
    const bytes = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(''))
    await writeFile(path, bytes, { mode: 0o600 })
    files.push({ type, format, path, sha256: hex(sha256(bytes)), rows })
  }
  return files
}

/** X6: runs the command in its own process group; kills the group on timeout and after it exits. */
async function runCommand(argv: string[], cwd: string, env: Record<string, string>, logPath: string, timeoutS: number): Promise<{ wallMs: number }> {
  const log = await open(logPath, 'a', 0o600)
  const t0 = performance.now()
  const killGroup = (pid: number | undefined) => {
    try {
      if (pid !== undefined) process.kill(-pid, 'SIGKILL')
    } catch { /* the group is already gone */ }
  }
  try {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', log.fd, log.fd], detached: true })
    let interrupted: NodeJS.Signals | undefined
    const onSignal = (sig: NodeJS.Signals) => { interrupted = sig; killGroup(child.pid) } // X6: aip interrupted
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const r = await new Promise<{ code: number | null; signal: string | null; timedOut: boolean; error?: Error }>((resolve) => {
      let timedOut = false
      const timer = setTimeout(() => { timedOut = true; killGroup(child.pid) }, timeoutS * 1000)
      child.once('error', (error) => { clearTimeout(timer); resolve({ code: null, signal: null, timedOut, error }) })
      child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, timedOut }) })
    })
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (interrupted !== undefined) throw new TuneError('TUNE_EXTERNAL_FAILED', `aip received ${interrupted}: the external trainer's process group was killed (log: ${logPath})`)
    killGroup(child.pid) // X6: nothing of the command keeps running (or writing) once we read its output
    if (r.error !== undefined) throw new TuneError('TUNE_EXTERNAL_COMMAND', `cannot run ${argv[0]}: ${r.error.message}`)
    if (r.timedOut) throw new TuneError('TUNE_EXTERNAL_TIMEOUT', `the external trainer did not finish within ${timeoutS} s; its process group was killed (log: ${logPath})`)
    if (r.code !== 0) {
      const why = r.code === null ? `was killed by ${r.signal}` : `exited with code ${r.code}${r.code === 127 ? ' (command not found)' : ''}`
      throw new TuneError('TUNE_EXTERNAL_FAILED', `the external trainer ${why} (log: ${logPath})`)
    }
    return { wallMs: Math.round(performance.now() - t0) }
  } finally {
    await log.close()
  }
}

/** X7: whether a float tensor's bytes hold a NaN or an infinity (exponent bits all ones). */
function nonFinite(dtype: string, b: Uint8Array): boolean {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  if (dtype === 'F32') { for (let i = 0; i < b.length; i += 4) if ((v.getUint32(i, true) & 0x7f800000) === 0x7f800000) return true }
  else if (dtype === 'F16') { for (let i = 0; i < b.length; i += 2) if ((v.getUint16(i, true) & 0x7c00) === 0x7c00) return true }
  else if (dtype === 'BF16') { for (let i = 0; i < b.length; i += 2) if ((v.getUint16(i, true) & 0x7f80) === 0x7f80) return true }
  else if (dtype === 'F64') { for (let i = 0; i < b.length; i += 8) if ((v.getUint32(i + 4, true) & 0x7ff00000) === 0x7ff00000) return true }
  return false
}

/** X7: the output file, checked against the parent's tensors (names, dtypes, shapes, finite values), in the parent's order. */
export async function ingestOutput(path: string, parent: StateManifest['tensors']): Promise<{ tensors: Tensor[]; sha256: Uint8Array }> {
  const invalid = (why: string) => new TuneError('TUNE_EXTERNAL_OUTPUT_INVALID', `${path}: ${why}`)
  let st
  try {
    st = await lstat(path)
  } catch {
    throw new TuneError('TUNE_EXTERNAL_OUTPUT_MISSING', `the external trainer wrote no ${path}`)
  }
  if (!st.isFile()) throw new TuneError('TUNE_EXTERNAL_OUTPUT_MISSING', `${path} is not a regular file`)
  const dataBytes = parent.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[t.dtype] ?? 0), 0)
  if (st.size > 8 + MAX_SAFETENSORS_HEADER_BYTES + dataBytes) throw invalid(`${st.size} bytes: larger than any file with the parent's tensors`)
  let located
  try {
    located = locateTensors(path)
  } catch (err) {
    throw invalid(`not a valid safetensors file (${(err as Error).message})`)
  }
  const bytes = new Uint8Array(await readFile(path))
  if (bytes.length !== st.size) throw invalid('the file changed while it was read')
  for (const name of located.keys()) if (!parent.some((p) => p.name === name)) throw invalid(`tensor ${name} is not one of the parent's`)
  const tensors: Tensor[] = []
  for (const p of parent) {
    const o = located.get(p.name)
    if (o === undefined) throw invalid(`tensor ${p.name} is missing`)
    if (o.dtype !== p.dtype) throw invalid(`tensor ${p.name} is ${o.dtype}, the parent's is ${p.dtype}`)
    if (o.shape.join() !== p.shape.join() || o.shape.length !== p.shape.length) throw invalid(`tensor ${p.name} has shape [${o.shape.join(', ')}], the parent's is [${p.shape.join(', ')}]`)
    const data = bytes.subarray(o.dataStart + o.begin, o.dataStart + o.end)
    if (nonFinite(o.dtype, data)) throw invalid(`tensor ${p.name} holds a NaN or an infinity`)
    tensors.push({ name: p.name, dtype: p.dtype, shape: p.shape, data })
  }
  return { tensors, sha256: sha256(bytes) }
}

/** X8: the child's config.json — the parent's, marked trained. */
function childConfig(parentConfig: string): string {
  try {
    return JSON.stringify({ ...(JSON.parse(parentConfig) as Record<string, unknown>), aip_untrained: false }, null, 2) + '\n'
  } catch {
    return parentConfig
  }
}

const fileHash = async (p: string) => hex(sha256(new Uint8Array(await readFile(p))))

/** X3–X9: one external run from `parent` on `data`; returns the recorded child. */
async function runExternal(t: Tune, parent: DecodedRecord<'ModelCommitment'>, data: RunDatum[], options: LedgerOptions, run: { command: string; timeoutS: number }, now: number): Promise<Tuned & { runDir: string }> {
  const parentRoot = await ensureState(t, parent)
  const pm = (await t.states.manifest(parentRoot))!
  const runDir = join(t.dir, 'external', `${now}-${randomBytes(4).toString('hex')}`)
  const [parentDir, dataDir, outputDir] = ['parent', 'data', 'output'].map((d) => join(runDir, d)) as [string, string, string]
  await mkdir(join(t.dir, 'external'), { recursive: true, mode: 0o700 })
  await mkdir(runDir, { mode: 0o700 })
  try {
    await t.states.materialize(parentRoot, parentDir)
    for (const d of [dataDir, outputDir]) await mkdir(d, { mode: 0o700 })
    const files = await exportData(t, data, dataDir)
    const config = join(parentDir, 'config.json'), weights = join(parentDir, 'model.safetensors'), output = join(outputDir, 'model.safetensors')
    const inputs = [{ name: relative(runDir, config), sha256: await fileHash(config) }, { name: relative(runDir, weights), sha256: await fileHash(weights) }, ...files.map((f) => ({ name: relative(runDir, f.path), sha256: f.sha256 }))]
    const manifest = {
      format: EXTERNAL_MANIFEST_FORMAT, run_dir: runDir,
      parent: { commitment: parent.id, weights_root: parentRoot, config, weights, weights_sha256: inputs[1]!.sha256 },
      data: files, output: { path: output, tensors: pm.tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })) },
      options: { seed: options.seed, steps: options.steps, batch: options.batch, lr: options.lr },
    }
    const manifestPath = join(runDir, 'manifest.json'), logPath = join(runDir, 'trainer.log')
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest, null, 1) + '\n')
    await writeFile(manifestPath, manifestBytes, { mode: 0o600 })
    const argv = ['/bin/sh', '-c', run.command, 'aip-tune', manifestPath]
    const { wallMs } = await runCommand(argv, runDir, { AIP_TUNE_MANIFEST: manifestPath, AIP_TUNE_OUTPUT: output }, logPath, run.timeoutS)
    const got = await ingestOutput(output, pm.tensors)
    const weightsRoot = rootOfTensors(got.tensors.map((x) => ({ ...x, sha256: sha256(x.data) })))
    const chain = new Chain()
    chain.push({ kind: 'run', version: 1, parent: parent.id, parent_weights_root: parent.body.weights_root, trainer: TUNE_EXTERNAL_TRAINER, options: optionsMap(options), data: data.length, checkpoint_every: 0 })
    data.forEach((d, index) => chain.push({ kind: 'datum', index, bundle: d.bundle, item: d.item, sha256: d.sha256 }))
    const digest = (h: string) => new Uint8Array(Buffer.from(h, 'hex'))
    chain.push({
      kind: 'external', argv, dir: relative(t.dir, runDir), manifest_sha256: sha256(manifestBytes), inputs: inputs.map((i) => ({ name: i.name, sha256: digest(i.sha256) })),
      log_sha256: digest(await fileHash(logPath)), output_sha256: got.sha256, weights_root: weightsRoot, exit_code: 0, wall_ms: wallMs,
    })
    const out = { chain, config: childConfig(pm.config), tensors: got.tensors, weightsRoot }
    return { ...(await recordRun(t, parent, out, data, { steps: options.steps, trainer: TUNE_EXTERNAL_TRAINER, replayable: false }, now)), runDir }
  } finally {
    for (const d of [parentDir, dataDir, outputDir]) await rm(d, { recursive: true, force: true }) // X9
  }
}

/** §1.1: `aip tune --trainer external`. */
export async function tuneExternal(access: RecordAccess, o: ExternalOptions): Promise<ExternalTuned> {
  const t = openTune(access)
  const parent = await getCommitment(access, o.from)
  await ensureState(t, parent, o.model)
  const options = ledgerOptions(o.params)
  const run = commandOf(access, o)
  const { data, excluded } = await collectData(t, o.bundles)
  return { ...(await runExternal(t, parent, data, options, run, o.now)), excluded }
}
