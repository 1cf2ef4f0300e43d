/**
 * The local state store (specs/tune-v1.md §4): tensors content-addressed by SHA-256 under DIR/tune/tensors/ (one
 * file per distinct tensor, shared by every state that has it), one manifest per state under DIR/tune/states/ROOT.json,
 * the current state in DIR/tune/current.json and its model directory DIR/tune/model/.
 */
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeSafetensors, locateTensors } from '../../kernels/index.ts'
import { MerkleBuilder, sortTensorNames, weightsLeaf } from '../../protocol/index.ts'
import { TuneError } from './errors.ts'
import { hex, sha256 } from './ledger.ts'

export interface Tensor {
  name: string
  dtype: string
  shape: number[]
  data: Uint8Array
}

export interface StateMeta {
  commitment: string | null // its ModelCommitment ID
  parent: string | null // the parent's ModelCommitment ID
  tuning: string | null // the TuningRecord ID
}

export interface StateManifest extends StateMeta {
  weights_root: string // hex
  config: string // config.json text
  tensors: Array<{ name: string; dtype: string; shape: number[]; sha256: string }> // safetensors order
  /** T7: the adapter of a LoRA run (its tensors share the tensor store). */
  adapter?: { root: string; tensors: Array<{ name: string; dtype: string; shape: number[]; sha256: string }> }
  erased?: boolean
}

/** aip-v1 §4.6 over in-memory tensors: the same root `aip model commit` computes from the files. */
export function rootOfTensors(tensors: ReadonlyArray<{ name: string; dtype: string; shape: number[]; sha256: Uint8Array }>): Uint8Array {
  const byName = new Map(tensors.map((t) => [t.name, t]))
  const tree = new MerkleBuilder()
  for (const n of sortTensorNames([...byName.keys()])) {
    const t = byName.get(n)!
    tree.push(weightsLeaf(t.name, t.dtype, t.shape, t.sha256))
  }
  return tree.root()
}

/** The tensors of a single-file model directory, in file order. */
export async function readModelDir(dir: string): Promise<{ config: string; tensors: Tensor[] }> {
  const located = [...locateTensors(dir).values()]
  const files = new Set(located.map((t) => t.file))
  if (files.size !== 1) throw new TuneError('TUNE_WEIGHTS_MISSING', `${dir}: only single-file models (model.safetensors) can be tuned`)
  const bytes = new Uint8Array(await readFile([...files][0]!))
  located.sort((a, b) => a.begin - b.begin)
  return {
    config: await readFile(join(dir, 'config.json'), 'utf8'),
    tensors: located.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: bytes.subarray(t.dataStart + t.begin, t.dataStart + t.end) })),
  }
}

export class StateStore {
  readonly tensorsDir: string
  readonly statesDir: string
  readonly modelDir: string
  private readonly currentFile: string

  constructor(readonly tuneDir: string) {
    this.tensorsDir = join(tuneDir, 'tensors')
    this.statesDir = join(tuneDir, 'states')
    this.modelDir = join(tuneDir, 'model')
    this.currentFile = join(tuneDir, 'current.json')
  }

  /** S1: stores the tensors (each once) and the manifest (with a LoRA run's adapter, T7); returns the weights root (hex). */
  async put(config: string, tensors: readonly Tensor[], meta: StateMeta, adapter?: readonly Tensor[]): Promise<string> {
    await mkdir(this.tensorsDir, { recursive: true, mode: 0o700 })
    await mkdir(this.statesDir, { recursive: true, mode: 0o700 })
    const store = async (list: readonly Tensor[]) => {
      const rows = []
      for (const t of list) {
        const h = sha256(t.data)
        const path = join(this.tensorsDir, hex(h))
        if (!existsSync(path)) {
          await writeFile(`${path}.tmp-${process.pid}`, t.data, { mode: 0o600 })
          await rename(`${path}.tmp-${process.pid}`, path)
        }
        rows.push({ name: t.name, dtype: t.dtype, shape: t.shape, sha256: h })
      }
      return { root: hex(rootOfTensors(rows)), rows: rows.map((r) => ({ ...r, sha256: hex(r.sha256) })) }
    }
    const { root, rows } = await store(tensors)
    const a = adapter === undefined ? undefined : await store(adapter)
    const m: StateManifest = { ...meta, weights_root: root, config, tensors: rows, ...(a === undefined ? {} : { adapter: { root: a.root, tensors: a.rows } }) }
    await writeFile(join(this.statesDir, `${root}.json`), JSON.stringify(m, null, 1) + '\n', { mode: 0o600 })
    return root
  }

  async manifest(root: string): Promise<StateManifest | undefined> {
    if (!/^[0-9a-f]{64}$/.test(root)) return undefined
    try {
      return JSON.parse(await readFile(join(this.statesDir, `${root}.json`), 'utf8')) as StateManifest
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new TuneError('STATE_CORRUPT', `state ${root}: ${(err as Error).message}`)
    }
  }

  async list(): Promise<StateManifest[]> {
    if (!existsSync(this.statesDir)) return []
    const out = []
    for (const f of readdirSync(this.statesDir).filter((n) => n.endsWith('.json')).sort()) {
      const m = await this.manifest(f.slice(0, -5))
      if (m !== undefined) out.push(m)
    }
    return out
  }

  async setMeta(root: string, patch: Partial<StateManifest>): Promise<void> {
    const m = await this.manifest(root)
    if (m === undefined) throw new TuneError('STATE_UNKNOWN', `no state ${root}`)
    await writeFile(join(this.statesDir, `${root}.json`), JSON.stringify({ ...m, ...patch }, null, 1) + '\n', { mode: 0o600 })
  }

  /** A state's tensors, each checked against its digest (STATE_CORRUPT otherwise). */
  async tensors(root: string): Promise<{ config: string; tensors: Tensor[] }> {
    const m = await this.manifest(root)
    if (m === undefined) throw new TuneError('STATE_UNKNOWN', `the state store holds no state with weights root ${root}`)
    if (m.erased === true) throw new TuneError('STATE_ERASED', `state ${root} was removed by an erasure`)
    const tensors: Tensor[] = []
    for (const t of m.tensors) {
      let data: Uint8Array
      try {
        data = new Uint8Array(await readFile(join(this.tensorsDir, t.sha256)))
      } catch {
        throw new TuneError('STATE_CORRUPT', `state ${root}: tensor ${t.name} is missing from the store`)
      }
      if (hex(sha256(data)) !== t.sha256) throw new TuneError('STATE_CORRUPT', `state ${root}: tensor ${t.name} does not hash to ${t.sha256}`)
      tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, data })
    }
    return { config: m.config, tensors }
  }

  /** Writes a state as a model directory (config.json + model.safetensors), replacing `dir` only once complete. */
  async materialize(root: string, dir: string): Promise<void> {
    const s = await this.tensors(root)
    const tmp = `${dir}.tmp-${process.pid}`
    await rm(tmp, { recursive: true, force: true })
    await mkdir(tmp, { recursive: true, mode: 0o755 })
    await writeFile(join(tmp, 'config.json'), s.config)
    await writeFile(join(tmp, 'model.safetensors'), encodeSafetensors(s.tensors))
    await rm(dir, { recursive: true, force: true })
    await rename(tmp, dir)
  }

  async current(): Promise<{ commitment: string; weights_root: string } | undefined> {
    try {
      return JSON.parse(await readFile(this.currentFile, 'utf8')) as { commitment: string; weights_root: string }
    } catch {
      return undefined
    }
  }

  /** S2: makes a state current: its model directory is rebuilt, then the pointer moves. */
  async setCurrent(commitment: string, root: string): Promise<void> {
    await this.materialize(root, this.modelDir)
    await writeFile(this.currentFile, JSON.stringify({ commitment, weights_root: root }) + '\n', { mode: 0o600 })
  }

  /** S5: makes an already materialized (and checked) directory the current model, by rename. */
  async promote(staged: string, commitment: string, root: string): Promise<void> {
    await rm(this.modelDir, { recursive: true, force: true })
    await rename(staged, this.modelDir)
    await writeFile(this.currentFile, JSON.stringify({ commitment, weights_root: root }) + '\n', { mode: 0o600 })
  }

  /** E3: marks states erased and deletes the tensors no remaining state uses. */
  async erase(roots: readonly string[]): Promise<void> {
    for (const r of roots) await this.setMeta(r, { erased: true, tensors: [], adapter: undefined })
    const used = new Set<string>()
    for (const m of await this.list()) for (const t of [...m.tensors, ...(m.adapter?.tensors ?? [])]) used.add(t.sha256)
    for (const f of existsSync(this.tensorsDir) ? readdirSync(this.tensorsDir) : []) if (!used.has(f)) await rm(join(this.tensorsDir, f), { force: true })
  }
}
